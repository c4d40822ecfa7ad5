import Foundation

/// The file end every backend's backup shares: the copy is written to a temporary file beside its destination
/// (`<destination>.partial`), renamed into place only once it is whole and checked, and removed when anything fails, so
/// a failure never leaves a half file. An existing destination is refused: a backup never overwrites one.
public enum BackupFile {
    /// The temporary file to write the copy of `destination` to, any stale one from an earlier failure removed, made
    /// empty and readable by its owner alone (a backup holds every customer's name, phone and email, whatever the
    /// process's umask); throws when `destination` exists already.
    public static func start(_ destination: String) throws -> String {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: destination) else {
            throw StoreError("\(destination) exists already: a backup never overwrites a file")
        }
        let temporary = destination + ".partial"
        try? fm.removeItem(atPath: temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.io("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        close(fd)
        return temporary
    }

    /// Renames the checked copy at `temporary` into place at `destination`; what was made, with the counts the backend
    /// read in the copy's own snapshot.
    public static func finish(temporary: String, destination: String, deals: Int, migrations: Int) throws -> BackupSummary {
        let fm = FileManager.default
        // Owner only, whatever the tool that wrote it did to the file's mode.
        try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: temporary)
        try fm.moveItem(atPath: temporary, toPath: destination)
        let bytes = (try? fm.attributesOfItem(atPath: destination)[.size] as? NSNumber)?.int64Value ?? 0
        return BackupSummary(path: destination, bytes: bytes, deals: deals, migrations: migrations)
    }

    /// Removes the temporary file of a backup that failed with `error`; the error to throw: a `StoreError` as itself,
    /// anything else as an I/O error naming the destination.
    public static func abandon(_ temporary: String, destination: String, after error: any Error) -> StoreError {
        try? FileManager.default.removeItem(atPath: temporary)
        return error as? StoreError ?? StoreError.io("the backup to \(destination) failed: \(error)")
    }
}
