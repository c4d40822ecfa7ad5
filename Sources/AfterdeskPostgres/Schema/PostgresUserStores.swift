// A PostgreSQL migration of issue 30 (a dealer group): the stores of a user.

extension PostgresMigrations {
    /// `p6-user-stores`: SQLite's v16. Every store a user works in; a user with none is the group's.
    static let userStores = """
        CREATE TABLE user_stores (
            user_id bigint NOT NULL REFERENCES users(id),
            store_id bigint NOT NULL REFERENCES stores(id),
            PRIMARY KEY (user_id, store_id)
        );
        INSERT INTO user_stores (user_id, store_id) SELECT id, store_id FROM users WHERE store_id IS NOT NULL;
        """
}
