import Foundation

/// The books view (`report --by sale_month`) as JSON, CSV and a table: per month `YYYY-MM`, both arms together
/// (`recovered`, `margin_gross`, `chargebacks`, `margin_net`), then the same four per arm.
public enum BooksFormats {
    public static let columns = [
        "key", "recovered", "margin_gross", "chargebacks", "margin_net",
        "treated_recovered", "treated_margin_gross", "treated_chargebacks", "treated_margin_net",
        "holdout_recovered", "holdout_margin_gross", "holdout_chargebacks", "holdout_margin_net",
    ]

    /// The CSV: the total first (key `total`: the sums over the months, which are the cohort total's), then a line a
    /// month.
    public static func csv(_ report: MarginReport) -> String {
        var out = CSVWriter.line(columns) + CSVWriter.line(cells(total(report.books)))
        for m in report.books { out += CSVWriter.line(cells(m)) }
        return out
    }

    /// The months' sums, keyed `total`.
    public static func total(_ months: [BooksMonth]) -> BooksMonth {
        var t = BooksMonth(key: "total")
        for m in months { t.merge(m) }
        return t
    }

    static func cells(_ m: BooksMonth) -> [String] {
        func four(_ f: BooksFigures) -> [String] {
            [
                String(f.recovered), Money(cents: f.grossCents).description, Money(cents: f.chargebacksCents).description,
                Money(cents: f.netCents).description,
            ]
        }
        return [m.key] + four(m.both) + four(m.treated) + four(m.holdout)
    }

    /// The table under the report: a line a month.
    public static func text(_ months: [BooksMonth]) -> String {
        func pad(_ s: String, _ n: Int, _ right: Bool = false) -> String { ReportText.pad(s, n, right: right) }
        var out =
            "By sale month (the books view: each recovery in the month it was sold, each chargeback in the month it was "
            + "charged back; both arms, then the net of each):\n"
            + pad("", 10) + pad("recovered", 11, true) + pad("gross", 14, true) + pad("chargebacks", 14, true)
            + pad("net", 14, true) + pad("net treated", 14, true) + pad("net held out", 14, true) + "\n"
        for m in months + [total(months)] {
            let b = m.both
            out +=
                pad(m.key, 10) + pad(b.recovered.grouped, 11, true) + pad(Money(cents: b.grossCents).formatted, 14, true)
                + pad(Money(cents: b.chargebacksCents).formatted, 14, true) + pad(Money(cents: b.netCents).formatted, 14, true)
                + pad(Money(cents: m.treated.netCents).formatted, 14, true) + pad(Money(cents: m.holdout.netCents).formatted, 14, true)
                + "\n"
        }
        return out
    }
}

struct BooksFiguresDocument: Encodable {
    var recovered: Int
    var marginGross, chargebacks, marginNet: String
    init(_ f: BooksFigures) {
        recovered = f.recovered
        marginGross = Money(cents: f.grossCents).description
        chargebacks = Money(cents: f.chargebacksCents).description
        marginNet = Money(cents: f.netCents).description
    }
    enum CodingKeys: String, CodingKey {
        case recovered
        case marginGross = "margin_gross"
        case chargebacks
        case marginNet = "margin_net"
    }
}

/// A books month in JSON: `key`, both arms' four figures, and `treated` and `holdout` with the same four.
struct BooksMonthDocument: Encodable {
    var key: String
    var both, treated, holdout: BooksFiguresDocument
    init(_ m: BooksMonth) {
        key = m.key
        both = BooksFiguresDocument(m.both)
        treated = BooksFiguresDocument(m.treated)
        holdout = BooksFiguresDocument(m.holdout)
    }
    enum CodingKeys: String, CodingKey {
        case key, recovered
        case marginGross = "margin_gross"
        case chargebacks
        case marginNet = "margin_net"
        case treated, holdout
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(both.recovered, forKey: .recovered)
        try c.encode(both.marginGross, forKey: .marginGross)
        try c.encode(both.chargebacks, forKey: .chargebacks)
        try c.encode(both.marginNet, forKey: .marginNet)
        try c.encode(treated, forKey: .treated)
        try c.encode(holdout, forKey: .holdout)
    }
}
