import AfterdeskStorage

extension Migrations {
    /// v10: which stores an upload touched, so a store-limited user sees only uploads of their own store (issue 23).
    static let v10ImportScope = """
        -- The store codes an upload's rows named, landed or refused, as a JSON array; NULL until its import ends (and for
        -- uploads from before v10): such an upload is seen only by its uploader, admins and users of every store.
        ALTER TABLE web_imports ADD COLUMN stores TEXT;
        """
}
