import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

extension PostgresStorage {
    /// What the opt-out ledger holds (addresses stopped now, by channel), and whether it held: texts and emails handed
    /// to a provider after a stop of their address that no restore had lifted by then.
    public func optOutSummary() async throws -> OptOutSummary {
        try await snapshot { conn in
            var stopped: [String: Int] = [:]
            for try await (channel, n) in try await conn.statement(
                "SELECT channel, count(*) FROM opt_out_state WHERE stopped GROUP BY channel", logger: logger
            ).decode((String, Int).self) {
                stopped[channel] = n
            }
            let after =
                try await conn.one(
                    Int.self,
                    """
                    SELECT count(*) FROM outbox o
                    WHERE o.channel IN ('sms', 'email') AND o.sent_at IS NOT NULL AND EXISTS (
                      SELECT 1 FROM opt_outs e
                      WHERE e.channel = o.channel AND e.action = 'stop' AND e.at < o.sent_at
                        AND e.address = CASE o.channel WHEN 'email' THEN lower(o.recipient) ELSE o.recipient END
                        AND NOT EXISTS (
                          SELECT 1 FROM opt_outs r WHERE r.address = e.address AND r.channel = e.channel AND r.action = 'restore'
                          AND r.at > e.at AND r.at <= o.sent_at))
                    """, logger) ?? 0
            return OptOutSummary(stopped: stopped, sentAfterStop: after)
        }
    }
}
