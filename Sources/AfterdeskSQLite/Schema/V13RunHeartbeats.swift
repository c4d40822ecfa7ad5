import AfterdeskStorage

extension Migrations {
    /// v13: runs say where they run and that they are alive (`RunLiveness`), so a run left running by a dead process
    /// is recognised from any machine sharing the database, where `kill(pid, 0)` only knew this machine's processes.
    static let v13RunHeartbeats = """
        ALTER TABLE import_runs ADD COLUMN host TEXT;
        ALTER TABLE import_runs ADD COLUMN heartbeat_at TEXT;
        ALTER TABLE web_imports ADD COLUMN host TEXT;
        ALTER TABLE web_imports ADD COLUMN heartbeat_at TEXT;
        """
}
