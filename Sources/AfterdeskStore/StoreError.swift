import AfterdeskCore
import Foundation
import GRDB

/// Errors of workflow operations a person asked for, with what was wrong.
public struct WorkflowError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}
