import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    public func optOutSummary() async throws -> OptOutSummary {
        try await writer.read { db in
            var stopped: [String: Int] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT channel, COUNT(*) AS n FROM opt_out_state WHERE stopped GROUP BY channel") {
                stopped[r["channel"]] = r["n"]
            }
            let after =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) FROM outbox o
                        WHERE o.channel IN ('sms', 'email') AND o.sent_at IS NOT NULL AND EXISTS (
                          SELECT 1 FROM opt_outs e
                          WHERE e.channel = o.channel AND e.action = 'stop' AND e.at < o.sent_at
                            AND e.address = CASE o.channel WHEN 'email' THEN lower(o.recipient) ELSE o.recipient END
                            AND NOT EXISTS (
                              SELECT 1 FROM opt_outs r WHERE r.address = e.address AND r.channel = e.channel AND r.action = 'restore'
                              AND r.at > e.at AND r.at <= o.sent_at))
                        """) ?? 0
            return OptOutSummary(stopped: stopped, sentAfterStop: after)
        }
    }
}
