import AfterdeskCore
import AfterdeskDemo
import AfterdeskStorage
import Foundation
import Synchronization
import Testing

/// The repository, found from this file: fixtures and the protocols' sources are read from it by path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// What every scenario starts from: its own temporary folder (removed after), the default menu and warranties, and
/// the instant the storage's clock is fixed at.
final class Fixture: Sendable {
    let directory: URL
    let menu: Menu
    let warranties: WarrantyTable
    let planner: Planner
    /// 2026-11-23T13:20:00Z, a Monday.
    let now = Date(timeIntervalSince1970: 1_795_440_000)

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("afterdesk-contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        menu = try MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml")
        warranties = try MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")
        planner = Planner(menu: menu, warranties: warranties)
    }
    deinit { try? FileManager.default.removeItem(at: directory) }

    var clock: Clock { .fixed(now) }

    /// A copy, in the temporary folder, of a fixture of the SQLite tests (`Tests/AfterdeskSQLiteTests/Fixtures`).
    func copy(_ name: String) throws -> String {
        let source = repositoryRoot.appendingPathComponent("Tests/AfterdeskSQLiteTests/Fixtures/\(name)")
        let target = directory.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: source, to: target)
        return target.path
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// `now` moved by `seconds`.
    func at(_ seconds: TimeInterval) -> Date { now.addingTimeInterval(seconds) }

    /// A seeded dealership's deals as a canonical CSV: `days` days up to the day before `now`.
    func dealershipCSV(seed: UInt64 = 7, days: Int = 60, dealsPerDay: Double = 2) -> String {
        SyntheticDealership(
            seed: seed, menu: menu, endDate: LocalDate(year: 2026, month: 11, day: 22)!, days: days,
            dealsPerDay: dealsPerDay, errorRate: 0
        ).csv()
    }

    func importOptions() -> ImportOptions { ImportOptions(menu: menu) }
}

/// A count a `@Sendable` closure adds to.
final class Counter: Sendable {
    private let count = Mutex(0)
    func add(_ n: Int) { count.withLock { $0 += n } }
    var value: Int { count.withLock { $0 } }
}

/// Instants compared as the store shows them (UTC, to the second), whatever type a value carries them in: the one
/// place assertions on instants go through, so values typed `Date` instead of `String` need no change in scenarios.
func sameInstant(_ a: Date?, _ b: Date?) -> Bool {
    guard let a, let b else { return a == nil && b == nil }
    return Instant.iso8601(a) == Instant.iso8601(b)
}

func sameInstant(_ text: String?, _ b: Date?) -> Bool { sameInstant(text.flatMap(Instant.parse), b) }
