import AfterdeskCore
import AfterdeskStorage
import Foundation

extension PostgresStorage {
    public func appliedMigrations() async throws -> [String] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func counts() async throws -> [String: Int] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func monitoringCounts() async throws -> MonitoringCounts {
        throw PostgresStorage.unbuilt(#function)
    }

    public func backup(to destination: String) async throws -> BackupSummary {
        throw PostgresStorage.unbuilt(#function)
    }
}
