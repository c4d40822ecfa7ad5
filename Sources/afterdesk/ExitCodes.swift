import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation

/// Exit codes of INTERFACES.md: 64 bad usage, 65 the input as a whole is unusable, 1 anything else. Every error a
/// command ends with passes through `Exit.code(for:)` (from `Afterdesk.main`): this is the one place that decides.
enum Exit {
    static let usage = ExitCode(64)
    static let unusableInput = ExitCode(65)
    static let failure = ExitCode(1)

    /// The exit code for a store error: a deal number in several stores or a request that cannot be done as asked is
    /// bad usage (the command must say more, or otherwise); a refused file is unusable input; the rest (no such task,
    /// a task already done, the database's own files) is a failure.
    static func code(for error: StoreError) -> ExitCode {
        switch error.kind {
        case .ambiguous, .invalid: return usage
        case .refusedFile: return unusableInput
        case .notFound, .conflict, .io, .integrity: return failure
        }
    }

    /// What the command prints and exits with for `error`: a store error's message on standard error and its code;
    /// anything else as ArgumentParser reports it.
    static func finish(_ error: any Error) -> any Error {
        guard let e = error as? StoreError else { return error }
        printError("error: \(e)")
        return code(for: e)
    }
}
