import AfterdeskCore
import ArgumentParser

/// A date option of the figures commands (`--as-of`, `--from`, `--to`): nil when not given, a clear error naming the
/// option when it is not a date.
enum CommandDates {
    static func date(_ text: String?, _ name: String) throws -> LocalDate? {
        guard let text else { return nil }
        guard let d = LocalDate(text) else { throw ValidationError("--\(name) '\(text)' is not a date such as 2026-12-01") }
        return d
    }
}
