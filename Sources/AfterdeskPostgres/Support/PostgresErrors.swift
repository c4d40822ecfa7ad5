import AfterdeskStorage
import PostgresNIO

/// PostgreSQL's errors as the store's: a transaction's wrapper taken off (so a `StoreError` thrown inside one comes out
/// as itself), a trigger's refusal (`RAISE EXCEPTION`, SQLSTATE P0001) an `integrity` error with its message.
enum PostgresErrors {
    static func mapped(_ error: any Error) -> any Error {
        if let e = error as? PostgresTransactionError {
            if let inner = e.closureError { return mapped(inner) }
            if let inner = e.commitError { return mapped(inner) }
            if let inner = e.beginError { return mapped(inner) }
            return e
        }
        if let e = error as? PSQLError, let state = e.serverInfo?[.sqlState] {
            let message = e.serverInfo?[.message] ?? "PostgreSQL refused the change"
            switch state {
            case "P0001": return StoreError.integrity(message)
            default: return PostgresFailure(sqlState: state, message: message)
            }
        }
        if let e = error as? PSQLError { return PostgresFailure(sqlState: nil, message: "\(e.code)") }
        return error
    }

    /// The SQLSTATE of a server error (nil for anything else).
    static func sqlState(_ error: any Error) -> String? {
        if let e = error as? PostgresFailure { return e.sqlState }
        if let e = error as? PostgresTransactionError, let inner = e.closureError ?? e.commitError { return sqlState(inner) }
        return (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// Why a database at `location` could not be opened, in one line for people (an `io` error): the server's own
    /// message (which never holds the password), or what stopped the connection.
    static func openFailure(_ error: any Error, location: String) -> StoreError {
        let reason: String
        if let e = error as? PSQLError, let message = e.serverInfo?[.message] {
            reason = message + (e.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
        } else if let e = error as? PSQLError, e.code == .authMechanismRequiresPassword {
            reason =
                "the server asks for a password: give it in AFTERDESK_DB_PASSWORD, AFTERDESK_DB_PASSWORD_FILE, PGPASSWORD or a "
                + "password file (PGPASSFILE, else ~/.pgpass; readable by its owner alone)"
        } else if let e = error as? PSQLError, e.code == .sslUnsupported {
            reason =
                "the server does not offer TLS, which this location asks for (sslmode=require is the default for any host but "
                + "this machine): turn TLS on at the server, or add ?sslmode=disable only on a network you trust"
        } else if let e = error as? PSQLError, let underlying = e.underlying {
            reason = oneLine(underlying)
        } else if let e = error as? PSQLError {
            reason = "\(e.code)"
        } else {
            reason = oneLine(error)
        }
        return StoreError("cannot open the PostgreSQL database \(location): \(reason)", kind: .io)
    }

    /// Why the database at `location` could not be brought up to date, in one line for people: a refusal of the
    /// migrator's own (a changed migration, a newer release's database) as it is, else PostgreSQL's message, with what
    /// to do when the role may not create Afterdesk's tables (it must own its database, docs/operations.md).
    static func migrationFailure(_ error: any Error, location: String) -> any Error {
        let given = mapped(error)
        guard let failure = given as? PostgresFailure else { return given }
        let hint =
            failure.sqlState == "42501"
            ? ": the role Afterdesk connects as must own its database (docs/operations.md, \"The server it needs\")" : ""
        return StoreError("cannot bring the PostgreSQL database \(location) up to date: \(failure)\(hint)", kind: .io)
    }

    /// An error's description on one line: a refused connection and a timeout said plainly.
    static func oneLine(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("onnection refused") { return "connection refused (is the server running, and is this its host and port?)" }
        if text.contains("imeout") || text.contains("imed out") { return "no answer from the server in time" }
        return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? "unknown error"
    }

    /// A unique key refused the row (23505).
    static func isUniqueViolation(_ error: any Error) -> Bool { sqlState(error) == "23505" }
}

/// What PostgreSQL refused, in words: its SQLSTATE and message (never the detail, which may quote a row's values).
public struct PostgresFailure: Error, CustomStringConvertible, Sendable {
    public let sqlState: String?
    public let message: String
    public var description: String { "PostgreSQL: \(message)" + (sqlState.map { " (SQLSTATE \($0))" } ?? "") }
}
