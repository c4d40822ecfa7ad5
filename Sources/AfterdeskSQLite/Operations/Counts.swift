import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    public func monitoringCounts() async throws -> MonitoringCounts {
        try await writer.read { db in
            MonitoringCounts(
                outbox: try Row.fetchAll(
                    db, sql: "SELECT channel, status, COUNT(*) AS n FROM outbox GROUP BY channel, status ORDER BY 1, 2"
                )
                .map { ($0["channel"], $0["status"], $0["n"]) },
                touches: try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM touches GROUP BY status ORDER BY 1").map {
                    ($0["status"], $0["n"])
                },
                skipped: try Row.fetchAll(
                    db,
                    sql: """
                        SELECT reason, COUNT(*) AS n FROM (
                          SELECT substr(COALESCE(status_reason, ''), 1, instr(COALESCE(status_reason, '') || ':', ':') - 1) AS reason
                          FROM touches WHERE status = 'skipped')
                        GROUP BY reason ORDER BY n DESC, reason LIMIT 20
                        """
                ).map { (String(($0["reason"] as String).prefix(80)), $0["n"]) })
        }
    }
}
