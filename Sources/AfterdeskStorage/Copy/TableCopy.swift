import Foundation

/// One stored value of a row being copied from one database to another (`afterdesk copy-database`), as the source keeps
/// it: the target converts it to its column's type.
public enum CopyValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// A database read for a whole copy, in one snapshot: every row of every table, as it was when the snapshot was taken,
/// whatever is written meanwhile. Rows come a page at a time, so a copy holds one page in memory, never a table.
public protocol TableSource: Sendable {
    /// Where the rows come from, for people (a file path).
    var name: String { get }
    /// The tables holding Afterdesk's data (the migrations' own record left out).
    func tables() async throws -> [String]
    /// How many rows `table` has.
    func count(_ table: String) async throws -> Int
    /// The rows of `table`, values in the order of `columns`, in the order of its key (a rowid table's ids ascending),
    /// `pageSize` rows at a time.
    func forEachPage(
        of table: String, columns: [String], pageSize: Int, _ body: ([[CopyValue]]) async throws -> Void
    ) async throws
}

/// What a copy did, for people.
public struct CopySummary: Sendable, Equatable {
    /// How the target was found: empty, or holding an earlier copy of the same source (replaced).
    public enum Target: String, Sendable, Equatable {
        case empty
        case replacedCopy = "replaced_copy"
    }
    public var target: Target
    /// When the copy this one replaced was made (nil when the target was empty).
    public var replacedCopyOf: Date?
    /// Each table copied, in the order copied, with its rows in the source and in the target afterwards.
    public var tables: [TableCount]

    public init(target: Target, replacedCopyOf: Date?, tables: [TableCount]) {
        self.target = target
        self.replacedCopyOf = replacedCopyOf
        self.tables = tables
    }

    /// A table's rows on both sides.
    public struct TableCount: Sendable, Equatable {
        public var table: String
        public var source: Int
        public var target: Int
        public init(table: String, source: Int, target: Int) {
            self.table = table
            self.source = source
            self.target = target
        }
    }

    /// The tables whose counts differ, in words ("deals: 120 in the source, 119 in the target").
    public var countDifferences: [String] {
        tables.filter { $0.source != $0.target }.map { "\($0.table): \($0.source) in the source, \($0.target) in the target" }
    }
}

/// Progress of a copy, for a person watching a large one: `rows` of `table` written so far (of `total`).
public typealias CopyProgress = @Sendable (_ table: String, _ rows: Int, _ total: Int) -> Void
