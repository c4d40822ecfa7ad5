import AfterdeskCore
import AfterdeskStorage
import Foundation

extension PostgresStorage {
    public func backup(to destination: String) async throws -> BackupSummary {
        throw PostgresStorage.unbuilt(#function)
    }
}
