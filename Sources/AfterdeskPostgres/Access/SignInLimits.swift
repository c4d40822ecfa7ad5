import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

/// The limits of `SignInLimits`, read on one connection (inside the reserving transaction, or alone), as SQLite reads
/// them. Instants compared in SQL are cut to the second, as SQLite's text was.
extension PostgresStorage {
    /// Until when `user` from `address` is refused, or nil. Failures are ordered by id, the order they were recorded in,
    /// so a success and failures of the same second are told apart.
    static func signInRefusedUntil(
        _ conn: PostgresConnection, user: String, address: String, limits: SignInLimits, now: Date, _ logger: Logger
    ) async throws -> Date? {
        let since = now.addingTimeInterval(-limits.window).wholeSecond
        let lastSuccess =
            try await conn.one(
                Int64.self, "SELECT COALESCE(max(id), 0) FROM sign_in_attempts WHERE user_name = \(user) AND succeeded", logger) ?? 0
        let pair = try await conn.all(
            Date.self,
            """
            SELECT at FROM sign_in_attempts WHERE user_name = \(user) AND address = \(address) AND NOT succeeded AND at > \(since)
              AND id > \(lastSuccess) ORDER BY id DESC LIMIT \(limits.pairFailures)
            """, logger)
        let fromAddress = try await conn.all(
            Date.self,
            """
            SELECT at FROM sign_in_attempts WHERE address = \(address) AND NOT succeeded AND at > \(since)
            ORDER BY id DESC LIMIT \(limits.addressFailures)
            """, logger)
        var until: Date?
        for (failures, limit) in [(pair, limits.pairFailures), (fromAddress, limits.addressFailures)] where failures.count >= limit {
            guard let oldest = failures.last else { continue }
            let end = oldest.addingTimeInterval(limits.window)
            if end > now { until = max(until ?? end, end) }
        }
        if until != nil { return until }
        return try await nameSlowedUntil(conn, user: user, address: address, lastSuccess: lastSuccess, limits: limits, now: now, logger)
    }

    /// The slow-down of a name guessed at from many addresses: one check per interval once it has failed often; not
    /// from an address the name signed in from lately.
    private static func nameSlowedUntil(
        _ conn: PostgresConnection, user: String, address: String, lastSuccess: Int64, limits: SignInLimits, now: Date,
        _ logger: Logger
    ) async throws -> Date? {
        let known = now.addingTimeInterval(-Double(limits.knownAddressDays) * 86_400).wholeSecond
        let knownAddress = try await conn.one(
            Bool.self,
            """
            SELECT EXISTS (SELECT 1 FROM sign_in_attempts WHERE user_name = \(user) AND address = \(address) AND succeeded
              AND at > \(known))
            """, logger)
        if knownAddress == true { return nil }
        let hourAgo = now.addingTimeInterval(-limits.nameWindow).wholeSecond
        let nameFailures =
            try await conn.one(
                Int.self,
                """
                SELECT count(*) FROM (SELECT 1 FROM sign_in_attempts WHERE user_name = \(user) AND NOT succeeded AND at > \(hourAgo)
                  AND id > \(lastSuccess) LIMIT \(limits.nameFailures)) AS recent
                """, logger) ?? 0
        guard nameFailures >= limits.nameFailures,
            let last = try await conn.one(
                Date.self, "SELECT at FROM sign_in_attempts WHERE user_name = \(user) ORDER BY id DESC LIMIT 1", logger)
        else { return nil }
        let next = last.addingTimeInterval(limits.nameInterval)
        return next > now ? next : nil
    }
}
