import AfterdeskStorage

extension Migrations {
    /// v16: a user of several stores (issue 30). `user_stores` holds every store a user works in; a user with none is
    /// the group's (every store). `users.store_id` stays as it was written (a store-limited user's first store) for a
    /// release that reads only it; the stores of a user are read from `user_stores`, filled here from `store_id`.
    static let v16UserStores = """
        CREATE TABLE user_stores (
            user_id INTEGER NOT NULL REFERENCES users(id),
            store_id INTEGER NOT NULL REFERENCES stores(id),
            PRIMARY KEY (user_id, store_id)
        ) WITHOUT ROWID;
        INSERT INTO user_stores (user_id, store_id) SELECT id, store_id FROM users WHERE store_id IS NOT NULL;
        """
}
