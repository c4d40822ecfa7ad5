import AfterdeskCore
import Foundation

/// What `afterdesk import-contracts` or `import-cancellations` did: the same counts as a readings import.
public typealias AfterSaleSummary = RowFileSummary
