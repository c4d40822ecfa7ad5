import AfterdeskCore
import AfterdeskStorage

/// The parameters of a prepared statement, one enum case each: a case's raw value is its `?N` in the SQL and
/// `column` the column it fills. The SQL and the bindings are both written from the cases, so a parameter cannot be
/// bound to the wrong place, and adding a column is adding a case.
protocol StatementParameters: CaseIterable, RawRepresentable where RawValue == Int32, AllCases == [Self] {
    var column: String { get }
}

extension StatementParameters {
    /// `?N`, as the SQL writes this parameter.
    var placeholder: String { "?\(rawValue)" }

    /// `INSERT INTO table (every case's column, then `also`'s) VALUES (their placeholders)`.
    static func insert(into table: String, also: [(column: String, value: Self)] = []) -> String {
        let columns = allCases.map(\.column) + also.map(\.column)
        let values = allCases.map(\.placeholder) + also.map(\.value.placeholder)
        return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))"
    }

    /// `column = ?N, …` for `cases`.
    static func assignments(_ cases: [Self]) -> String {
        cases.map { "\($0.column) = \($0.placeholder)" }.joined(separator: ", ")
    }
}

extension RawStatement {
    @inline(__always) func bind<P: StatementParameters>(_ p: P, _ s: String?) { bind(p.rawValue, s) }
    @inline(__always) func bind<P: StatementParameters>(_ p: P, _ d: LocalDate?) { bind(p.rawValue, d) }
    @inline(__always) func bind<P: StatementParameters>(_ p: P, _ v: Int64?) { bind(p.rawValue, v) }
    @inline(__always) func bind<P: StatementParameters>(_ p: P, _ v: Int?) { bind(p.rawValue, v) }
    @inline(__always) func bind<P: StatementParameters>(_ p: P, _ v: Bool) { bind(p.rawValue, v) }
}
