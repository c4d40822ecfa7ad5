import AfterdeskCore
import AfterdeskStorage
import Logging
import PostgresNIO

extension PostgresStorage {
    /// How long the second half of a read in halves waits for a connection of the pool before the first connection
    /// reads it too: a busy server's report takes longer rather than waiting on its own pool.
    static let secondHalfWait: Duration = .seconds(2)

    /// `body` over the deals with ids up to a middle one and over the rest, at once on two connections that see one
    /// snapshot: the first's `REPEATABLE READ` transaction exports it (`pg_export_snapshot`) and the second's imports it
    /// (`SET TRANSACTION SNAPSHOT`), and the first stays open until the second has ended. `firstHalf` is true for the
    /// first. The middle halves the finalized deals contracted from `from` through `through` (the report's). With fewer
    /// than two of them one read does all; when the pool has no second connection within `secondHalfWait`, the first
    /// connection reads the second half after its own, in the same snapshot. Either way the halves are given in deal
    /// order.
    func snapshotInHalves<T: Sendable>(
        contracted from: LocalDate, through: LocalDate,
        _ body: @escaping @Sendable (PostgresConnection, ClosedRange<Int64>, _ firstHalf: Bool) async throws -> T
    ) async throws -> [T] {
        let logger = logger
        return try await snapshot { conn in
            guard let middle = try await Self.middleDeal(conn, contracted: from, through: through, logger) else {
                return [try await body(conn, Int64.min...Int64.max, true)]
            }
            guard let exported = try await conn.one(String.self, "SELECT pg_export_snapshot()", logger) else {
                throw StoreError.integrity("PostgreSQL exported no snapshot")
            }
            let (first, second) = (Int64.min...middle, (middle + 1)...Int64.max)
            async let other = secondHalf(snapshot: exported, second, body)
            let mine = try await body(conn, first, true)
            if let theirs = try await other { return [mine, theirs] }
            // The first half's cursors are closed first: the second declares them again under the same names.
            try await conn.run("CLOSE ALL", logger)
            return [mine, try await body(conn, second, false)]
        }
    }

    /// `body` over `range` on a connection of its own in the snapshot `exported`; nil when the pool gave none in time.
    private func secondHalf<T: Sendable>(
        snapshot exported: String, _ range: ClosedRange<Int64>,
        _ body: @escaping @Sendable (PostgresConnection, ClosedRange<Int64>, _ firstHalf: Bool) async throws -> T
    ) async throws -> T? {
        let logger = logger
        let outcome: Result<T, any Error>
        do {
            outcome = try await client.withConnection(within: Self.secondHalfWait) { conn in
                do {
                    return .success(
                        try await conn.inTransaction(logger) { conn in
                            try await conn.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger)
                            try await conn.run(PostgresQuery(unsafeSQL: "SET TRANSACTION SNAPSHOT \(Self.literal(exported))"), logger)
                            try await conn.run(Self.withoutJIT, logger)
                            return try await body(conn, range, false)
                        })
                } catch {
                    return .failure(PostgresErrors.mapped(error))
                }
            }
        } catch {
            // A report given up (its request gone) stops here rather than reading the second half after all.
            try Task.checkCancellation()
            logger.debug("no second connection for a read in halves: one reads both", metadata: ["error": "\(error)"])
            return nil
        }
        return try outcome.get()
    }

    /// The id splitting the finalized deals contracted from `from` through `through` into two halves of about as many
    /// deals: the median id of a repeatable sample of the table's pages (1%), else, when the sample holds none of them
    /// (a small table, a short period), of all of them; nil with fewer than two.
    static func middleDeal(_ conn: PostgresConnection, contracted from: LocalDate, through: LocalDate, _ logger: Logger)
        async throws -> Int64?
    {
        func median(sampled: Bool) async throws -> (median: Int64, high: Int64)? {
            let row = try await conn.rows(
                """
                SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY id), MAX(id)
                FROM deals \(unescaped: sampled ? "TABLESAMPLE SYSTEM (1) REPEATABLE (29)" : "")
                WHERE status = 'finalized' AND contract_date >= \(from) AND contract_date <= \(through)
                """, logger
            ).first
            guard let (median, high) = try row?.decode((Int64?, Int64?).self), let median, let high else { return nil }
            return (median, high)
        }
        // A sample's highest id is not the table's: deals above it are a second half still. A middle at the highest of
        // them all leaves none (one deal).
        if let sampled = try await median(sampled: true), sampled.median < Int64.max { return sampled.median }
        guard let all = try await median(sampled: false), all.median < all.high else { return nil }
        return all.median
    }

    /// `text` as an SQL string literal (a snapshot's name is digits and dashes; quotes are doubled all the same).
    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}
