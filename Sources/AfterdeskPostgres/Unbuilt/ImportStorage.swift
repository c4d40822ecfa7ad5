import AfterdeskCore
import AfterdeskStorage
import Foundation

extension PostgresStorage {
    public func importReadings(file: String, dealershipTimeZone: String, planner: Planner?, now: Date?, writeRejectsFile: Bool) async throws
        -> ReadingsSummary
    {
        throw PostgresStorage.unbuilt(#function)
    }

    public func createWebImport(userID: Int64, fileName: String, path: String, profile: String, now: Date) async throws -> Int64 {
        throw PostgresStorage.unbuilt(#function)
    }

    public func updateWebImport(
        id: Int64, status: WebImportStatus, rowsRead: Int?, summary: String?, error: String?, stores: Set<String>?, now: Date
    ) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    public func webImport(id: Int64, visibleTo viewer: Principal?) async throws -> WebImportRow? {
        throw PostgresStorage.unbuilt(#function)
    }

    public func webImports(id: Int64?, limit: Int, visibleTo viewer: Principal?) async throws -> [WebImportRow] {
        throw PostgresStorage.unbuilt(#function)
    }

    @discardableResult public func interruptWebImports(now: Date) async throws -> Int {
        throw PostgresStorage.unbuilt(#function)
    }

    public func beatWebImport(id: Int64, clock: Clock) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    public func setWebImportPath(id: Int64, path: String) async throws {
        throw PostgresStorage.unbuilt(#function)
    }
}
