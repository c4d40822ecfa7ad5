import AfterdeskCore
import AfterdeskStorage
import Foundation

extension PostgresStorage {
    public func importContracts(
        file: String, menu: Menu, planner: Planner?, now: Date?, writeRejectsFile: Bool, allowedStores: Set<String>?
    ) async throws -> AfterSaleSummary {
        throw PostgresStorage.unbuilt(#function)
    }

    public func importCancellations(file: String, menu: Menu, writeRejectsFile: Bool, allowedStores: Set<String>?) async throws
        -> AfterSaleSummary
    {
        throw PostgresStorage.unbuilt(#function)
    }

    public func recentRecoveries(store: String?, asOf: LocalDate, limit: Int) async throws -> [RecentRecovery] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func marginReport(_ p: ReportParameters, now: Date) async throws -> MarginReport {
        throw PostgresStorage.unbuilt(#function)
    }

    public func marginReports(_ ps: [ReportParameters], now: Date) async throws -> [MarginReport] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func forEachLedgerRow(_ p: ReportParameters, now: Date, _ body: @Sendable (LedgerRow) throws -> Void) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    public func scorecard(_ p: ScorecardParameters, now: Date) async throws -> Scorecard {
        throw PostgresStorage.unbuilt(#function)
    }

    public func cancellationHistories(store: String?, asOf: LocalDate) async throws -> [CancellationHistory] {
        throw PostgresStorage.unbuilt(#function)
    }
}
