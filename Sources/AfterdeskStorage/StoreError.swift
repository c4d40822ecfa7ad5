import AfterdeskCore

/// The store's one error type: what went wrong, of which kind, in words a person can act on. GRDB's `DatabaseError`
/// reaches callers only for what SQLite itself refused; every application error of the store is a `StoreError`.
/// The command line and the HTTP layer turn the kind into an exit code or a status, each in one place
/// (`ExitCodes.swift` in the CLI, `ErrorMapping.swift` in the server).
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// No such deal, task, user, token, store or staff member.
        case notFound = "not_found"
        /// A request that cannot be done as asked: a sale without a price, a bad name, a role that does not exist.
        case invalid
        /// A deal number or staff code found in several stores, or a task about several products: the request must say
        /// which.
        case ambiguous
        /// The state does not allow it: the task is already done, the user already exists.
        case conflict
        /// A whole import file refused: unreadable, empty, binary, or its header cannot be used (`problem` says how).
        case refusedFile = "refused_file"
        /// A file the database keeps beside it (the import lock, the sent journal) cannot be used.
        case io
        /// Stored data breaks an invariant the store keeps (a full hash chain, an id beyond 32 bits in a bulk import).
        case integrity
    }

    public var kind: Kind
    public var message: String
    /// For `refusedFile`: what is wrong with the file.
    public var problem: ImportFileProblem?
    /// For a task outcome given wrongly: which field to fix, so the API and the task page can name it their own way
    /// (`message` is the command line's, with its flags).
    public var outcomeProblem: TaskOutcomeProblem?
    public var description: String { message }

    public init(_ message: String, kind: Kind = .invalid) {
        self.kind = kind
        self.message = message
    }

    /// A whole import file refused.
    public init(_ problem: ImportFileProblem) {
        kind = .refusedFile
        message = problem.description
        self.problem = problem
    }

    public static func notFound(_ message: String) -> StoreError { StoreError(message, kind: .notFound) }
    public static func ambiguous(_ message: String) -> StoreError { StoreError(message, kind: .ambiguous) }
    public static func conflict(_ message: String) -> StoreError { StoreError(message, kind: .conflict) }
    public static func io(_ message: String) -> StoreError { StoreError(message, kind: .io) }
    public static func integrity(_ message: String) -> StoreError { StoreError(message, kind: .integrity) }

    /// The same error is the same kind, message and file problem: `outcomeProblem` is what the message was made from.
    public static func == (lhs: StoreError, rhs: StoreError) -> Bool {
        lhs.kind == rhs.kind && lhs.message == rhs.message && lhs.problem == rhs.problem
    }
}
