import AfterdeskCore
import Foundation
import GRDB

/// What the opt-out ledger holds, and whether it held: for the demo and operations.
public struct OptOutSummary: Sendable, Equatable {
    /// Addresses stopped now, by channel (sms, email, phone).
    public var stopped: [String: Int]
    /// Texts and emails handed to a provider after their address was stopped (and before any restore): must be 0.
    public var sentAfterStop: Int
}

extension AfterdeskDatabase {
    public func optOutSummary() throws -> OptOutSummary {
        try writer.read { db in
            var stopped: [String: Int] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT channel, COUNT(*) AS n FROM opt_out_state WHERE stopped GROUP BY channel") {
                stopped[r["channel"]] = r["n"]
            }
            let after =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) FROM outbox o
                        JOIN opt_out_state s ON s.channel = o.channel AND s.stopped
                          AND s.address = CASE o.channel WHEN 'email' THEN lower(o.recipient) ELSE o.recipient END
                        JOIN opt_outs e ON e.id = s.entry_id
                        WHERE o.channel IN ('sms', 'email') AND o.sent_at IS NOT NULL AND o.sent_at > e.at
                        """) ?? 0
            return OptOutSummary(stopped: stopped, sentAfterStop: after)
        }
    }
}
