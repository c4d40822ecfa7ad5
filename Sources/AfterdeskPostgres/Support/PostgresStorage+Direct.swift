import Foundation
import PostgresNIO

extension PostgresStorage {
    /// One connection of the pool, outside any transaction, for tools and tests that inspect the database with SQL of
    /// their own (the tests' assertions on stored rows). Workflows never use it: they go through the storage protocols.
    public func withDirectConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await read(body)
    }
}
