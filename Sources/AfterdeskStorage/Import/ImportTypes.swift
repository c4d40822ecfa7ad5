import AfterdeskCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why a whole file could not be imported (exit code 65 for the command), carried by `StoreError.refusedFile`.
public enum ImportFileProblem: CustomStringConvertible, Sendable, Equatable {
    case cannotOpen(String, String)
    case readFailed(String)
    case notText(String)
    case header(String, ImportLayout.HeaderError)
    case empty(String)
    case unknownProfile(String)
    /// The header row itself cannot be read (a quote that never closes in it).
    case unreadableHeader(String, CSVError)
    /// A JSON file whose arrays and objects nest deeper than a deal file can (`JSONNesting`): nothing of it is read.
    case nestedTooDeep(String, line: Int)

    public var description: String {
        switch self {
        case .cannotOpen(let f, let why): return "\(f): cannot open: \(why)"
        case .readFailed(let why): return "read failed: \(why)"
        case .notText(let f): return "\(f): not a CSV or JSON text file (a spreadsheet must be saved as CSV first)"
        case .header(let f, let e): return "\(f): line 1: \(e)"
        case .empty(let f): return "\(f): the file is empty"
        case .unknownProfile(let p): return "unknown profile '\(p)' (known: \(ImportProfile.all.map(\.name).joined(separator: ", ")))"
        case .unreadableHeader(let f, let e): return "\(f): the header row cannot be read: \(e)"
        case .nestedTooDeep(let f, let line):
            return "\(f): line \(line): not valid JSON: arrays and objects nested deeper than \(JSONNesting.fileLimit) levels "
                + "(a deal file needs at most 5); nothing of the file was imported"
        }
    }
}

public struct ImportOptions: Sendable {
    public var profile: ImportProfile
    public var menu: Menu
    /// Store code for rows that have none.
    public var defaultStore: String
    /// When set, the only stores rows may name: a row of another store is refused (its reason names the store) and
    /// the good rows still land. The HTTP doors set the user's store; nil (the command line) allows any.
    public var allowedStores: Set<String>?
    /// Rows per transaction: a crash loses at most the batch in flight, which the next run redoes. Larger
    /// batches write the index pages they share fewer times; memory does not grow with it (rows stream).
    public var batchSize: Int
    /// Write `<input>.rejects.csv` beside each input that has refused rows.
    public var writeRejectsFile: Bool
    /// When set, the customers whose deals were inserted or updated are planned again after the import.
    public var planner: Planner?
    /// The instant to plan at (default: the database's clock).
    public var planAt: Date?
    /// Whether the customer and VIN indexes are dropped while importing and rebuilt at the end (see `BulkMode`).
    public var bulk: BulkMode = .auto
    /// Tests only: stop dead after this many committed batches, as a killed process would.
    package var simulateCrashAfterBatches: Int?

    public init(
        profile: ImportProfile = .canonical, menu: Menu, defaultStore: String = "main",
        batchSize: Int = 50_000, writeRejectsFile: Bool = true
    ) {
        self.profile = profile
        self.menu = menu
        self.defaultStore = defaultStore
        self.batchSize = batchSize
        self.writeRejectsFile = writeRejectsFile
    }
}

/// A bulk import finds customers and vehicles in memory and rebuilds their hash indexes once at the end,
/// instead of inserting each new key into them at a random place: faster when the import brings about as many
/// rows as the database holds, slower for a month's deals into years of them.
public enum BulkMode: String, Sendable, CaseIterable {
    /// Bulk when the files hold at least `minimumRows` deals and at least twice as many as the database has
    /// customers: a first load, or a database growing severalfold. (Not the same large file again: most of its
    /// deals are unchanged, and rebuilding the indexes would be wasted.)
    case auto
    case on
    case off

    public static let minimumRows = 50_000
}

/// One refused row (or one of its fields), as INTERFACES.md's `import --json` shows it.
public struct ImportReject: Codable, Sendable, Equatable {
    public var file: String
    public var line: Int
    public var field: String
    public var value: String
    public var error: String
    public var dealNumber: String?
    /// A warning: the row was kept, the value is implausible (listed in `ImportSummary.rowWarnings`).
    public var isWarning = false
    /// The declined products on the refused row, for the capture rate (not in the JSON summary).
    public var declines = 0

    public init(file: String, line: Int, field: String, value: String, error: String, dealNumber: String?, isWarning: Bool = false) {
        self.file = file
        self.line = line
        self.field = field
        self.value = value
        self.error = error
        self.dealNumber = dealNumber
        self.isWarning = isWarning
    }

    enum CodingKeys: String, CodingKey {
        case file, line, field, value, error
        case dealNumber = "deal_number"
    }
}

/// A kept row's implausible value, as `import --json` lists it under `row_warnings`.
public struct ImportWarning: Codable, Sendable, Equatable {
    public var file: String
    public var line: Int
    public var field: String
    public var value: String
    public var warning: String
    public var dealNumber: String?

    enum CodingKeys: String, CodingKey {
        case file, line, field, value, warning
        case dealNumber = "deal_number"
    }

    public init(
        file: String, line: Int, field: String, value: String, warning: String, dealNumber: String? = nil
    ) {
        self.file = file
        self.line = line
        self.field = field
        self.value = value
        self.warning = warning
        self.dealNumber = dealNumber
    }
}

/// What an import did. `inserted + updated + unchanged + rejected == read`.
public struct ImportSummary: Codable, Sendable, Equatable {
    public var read = 0
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    public var rejected = 0
    public var declines = 0
    /// The first refused fields (all of them are in the rejects CSV and the database).
    public var rejects: [ImportReject] = []
    /// Refused fields not listed in `rejects` because the list is capped.
    public var rejectsOmitted = 0
    public var recoveries = 0
    public var unwinds = 0
    /// Rows kept with at least one warning (an implausible value, see docs/import.md).
    public var warned = 0
    /// The first warnings (all of them are in the rejects CSV and the database).
    public var rowWarnings: [ImportWarning] = []
    public var rowWarningsOmitted = 0
    /// The re-planning of the customers this import changed, when asked for.
    public var planned: PlanSummary?
    public var warnings: [String] = []
    /// Files that could not be read at all, with why.
    public var failedFiles: [String] = []
    public var rejectsFiles: [String] = []
    /// The stores the import's rows named, landed or refused (a row without a store counts as the default store): who
    /// may see an upload depends on it. Not in the JSON summary.
    public var storesTouched: Set<String> = []

    public init() {}

    /// A group's menu names its stores: a deal of a store it does not name follows the group's menu, time zone and
    /// rules, which is rarely meant (a code spelled otherwise, "Tampa" for `tampa`). Said once per store.
    public mutating func warnOfStoresNotIn(_ menu: Menu) {
        guard !menu.stores.isEmpty else { return }
        let named = menu.stores.keys.sorted().joined(separator: ", ")
        for code in storesTouched.subtracting(menu.stores.keys).sorted() {
            warnings.append(
                "store '\(code)' is not one of the menu's stores (\(named)): its deals follow the group's menu, time zone and rules")
        }
    }

    package static let rejectListCap = 1000

    enum CodingKeys: String, CodingKey {
        case read, inserted, updated, unchanged, rejected, declines, rejects
        case rejectsOmitted = "rejects_omitted"
        case recoveries, unwinds, planned, warnings, warned
        case rowWarnings = "row_warnings"
        case rowWarningsOmitted = "row_warnings_omitted"
        case failedFiles = "failed_files"
        case rejectsFiles = "rejects_files"
    }
}

public struct ImportProgress: Sendable {
    public var file: String
    public var bytesRead: Int64
    public var bytesTotal: Int64
    public var rows: Int

    public init(
        file: String, bytesRead: Int64, bytesTotal: Int64, rows: Int
    ) {
        self.file = file
        self.bytesRead = bytesRead
        self.bytesTotal = bytesTotal
        self.rows = rows
    }
}

/// Thrown by the import's crash simulation (`ImportOptions.simulateCrashAfterBatches`, for the tests) on every backend;
/// nothing after it runs, as after kill -9.
package struct SimulatedCrash: Error {
    package init() {}
}
