import AfterdeskStorage

extension Migrations {
    /// v18: which server claimed a message it is sending (issue 30: every server delivers). A message left `sending` is
    /// in doubt only once its claimer's server lease (`leases`, name `server:<holder>`) has run out: another live
    /// server's message in flight is never taken for a crash's. NULL: claimed by a process without a lease (`afterdesk
    /// run`) or before v18.
    static let v18OutboxClaims = """
        ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
        """
}
