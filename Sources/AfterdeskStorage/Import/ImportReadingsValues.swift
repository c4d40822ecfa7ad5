import AfterdeskCore
import Foundation

/// What an import of a file of rows did (readings, after-sale contracts, cancellations).
/// `inserted + updated + unchanged + rejected == read`.
public struct RowFileSummary: Codable, Sendable, Equatable {
    public var read = 0
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    public var rejected = 0
    public var rejects: [ImportReject] = []
    /// The re-planning of the customers the file changed, when asked for.
    public var planned: PlanSummary?
    public var rejectsFile: String?
    public init() {}
    enum CodingKeys: String, CodingKey {
        case read, inserted, updated, unchanged, rejected, rejects, planned
        case rejectsFile = "rejects_file"
    }
}

/// What `afterdesk import-readings` did.
public typealias ReadingsSummary = RowFileSummary
