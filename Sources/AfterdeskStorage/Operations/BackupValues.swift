import AfterdeskCore
import Foundation

/// What `afterdesk backup` made.
public struct BackupSummary: Sendable, Equatable, Codable {
    public var path: String
    public var bytes: Int64
    public var deals: Int
    public var migrations: Int

    public init(
        path: String, bytes: Int64, deals: Int, migrations: Int
    ) {
        self.path = path
        self.bytes = bytes
        self.deals = deals
        self.migrations = migrations
    }
}
