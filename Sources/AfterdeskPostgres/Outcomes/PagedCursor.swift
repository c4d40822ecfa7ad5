import AfterdeskCore
import Foundation
import Logging
import PostgresNIO

/// A server-side cursor of the snapshot's transaction, read a page at a time. The ledger merges several streams ordered
/// by deal side by side on one connection, where a second query could not start before every row of the first was
/// read: each stream is a cursor instead, all of them seeing the snapshot's one commit, none held in memory beyond a
/// page.
struct PagedCursor {
    let conn: PostgresConnection
    let name: String
    let logger: Logger
    private var page: [PostgresRow] = []
    private var index = 0
    private var done = false
    /// Rows a page holds: 10,000 keeps the round trips to a few hundred for a million deals, a few MB a stream.
    static let pageSize = 10_000

    /// Declares cursor `name` (a constant identifier) over `query` in the connection's transaction.
    init(_ conn: PostgresConnection, name: String, _ query: PostgresQuery, logger: Logger) async throws {
        self.conn = conn
        self.name = name
        self.logger = logger
        try await Self.declare(conn, name: name, query, logger: logger)
    }

    /// Declares cursor `name` (a constant identifier) over `query` in the connection's transaction.
    static func declare(_ conn: PostgresConnection, name: String, _ query: PostgresQuery, logger: Logger) async throws {
        try await conn.run(PostgresQuery(unsafeSQL: "DECLARE \(name) NO SCROLL CURSOR FOR " + query.sql, binds: query.binds), logger)
    }

    /// The next page of cursor `name`: `rows` rows, fewer on the last page, none after it.
    static func fetch(_ conn: PostgresConnection, name: String, rows: Int = pageSize, logger: Logger) async throws -> [PostgresRow] {
        try await conn.rows(PostgresQuery(unsafeSQL: "FETCH FORWARD \(rows) FROM \(name)"), logger)
    }

    /// The next row; nil after the last.
    mutating func next() async throws -> PostgresRow? {
        if index < page.count {
            index += 1
            return page[index - 1]
        }
        guard !done else { return nil }
        page = try await Self.fetch(conn, name: name, logger: logger)
        index = 0
        if page.count < PagedCursor.pageSize {
            done = true
            try await conn.run(PostgresQuery(unsafeSQL: "CLOSE \(name)"), logger)
        }
        guard !page.isEmpty else { return nil }
        index = 1
        return page[0]
    }
}

/// A deal and a product code: the key the ledger's streams are ordered by, in PostgreSQL's `COLLATE "C"` order of the
/// code (its bytes), which is SQLite's.
struct LedgerKey: Equatable {
    var deal: Int64
    var product: String

    static func < (a: LedgerKey, b: LedgerKey) -> Bool {
        guard a.deal == b.deal else { return a.deal < b.deal }
        return codeBefore(a.product, b.product)
    }

    /// Whether product code `a` comes before `b` in byte order.
    static func codeBefore(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
}

/// A cursor ordered by (deal_id, product_code), its first two columns, read as it is merged with the declines. Its rows
/// are read from PostgreSQL's binary format (`BinaryCells`): `decode` reads the item from the cells after the key.
struct KeyedCursor<Item> {
    private var cursor: PagedCursor
    private let decode: (inout BinaryCells) throws -> Item
    /// The next row's key and item; no item once the cursor is done.
    private var headKey = LedgerKey(deal: .max, product: "")
    private var headItem: Item?

    init(_ cursor: PagedCursor, decode: @escaping (inout BinaryCells) throws -> Item) async throws {
        self.cursor = cursor
        self.decode = decode
        try await advance()
    }

    private mutating func advance() async throws {
        guard let row = try await cursor.next() else {
            headItem = nil
            return
        }
        var cells = BinaryCells(row)
        headKey = LedgerKey(deal: try cells.int64(), product: try cells.string())
        headItem = try decode(&cells)
    }

    /// The items for `key`, after skipping those before it.
    mutating func take(_ key: LedgerKey) async throws -> [Item] {
        guard headKey.deal <= key.deal else { return [] }  // most declines: nothing in this stream
        var out: [Item] = []
        while let item = headItem {
            if headKey == key {
                out.append(item)
            } else if !(headKey < key) {
                break
            }
            try await advance()
        }
        return out
    }

    /// The items of deal `deal` with their product codes, in order, after skipping those of deals before it.
    mutating func takeDeal(_ deal: Int64) async throws -> [(product: String, item: Item)] {
        var out: [(product: String, item: Item)] = []
        while let item = headItem, headKey.deal <= deal {
            if headKey.deal == deal { out.append((headKey.product, item)) }
            try await advance()
        }
        return out
    }

    /// The first item for `key`, after skipping those before it and the others for it.
    mutating func first(_ key: LedgerKey) async throws -> Item? { try await take(key).first }

    /// The deal of the next row (Int64.max once done).
    var headDeal: Int64 { headItem == nil ? .max : headKey.deal }
}
