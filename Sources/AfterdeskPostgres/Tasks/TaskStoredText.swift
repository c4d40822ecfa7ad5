import AfterdeskStorage

/// Values of a closed set (a task's kind, status and outcome, a staff member's role, a message's channel) read from
/// their stored text. Text the set does not know is an integrity error naming its table, column and value, as on
/// SQLite: never a trap, never silently a default.
enum TaskStoredText {
    static func value<E: RawRepresentable>(_ text: String, of table: String, _ column: String) throws -> E
    where E.RawValue == String {
        guard let e = E(rawValue: text) else {
            throw StoreError.integrity("\(table).\(column) holds \"\(text)\", which is not a known \(E.self)")
        }
        return e
    }

    /// The value in a nullable column, or nil when it is NULL.
    static func optional<E: RawRepresentable>(_ text: String?, of table: String, _ column: String) throws -> E?
    where E.RawValue == String {
        try text.map { try value($0, of: table, column) }
    }
}
