import Foundation

extension LedgerRow {
    /// One cancellation of a line's recovery, counted in its chargebacks: its date and amount.
    public struct Chargeback: Sendable, Equatable {
        public var on: LocalDate
        public var cents: Int64
        public init(on: LocalDate, cents: Int64) {
            self.on = on
            self.cents = cents
        }

        /// The ledger's `charged_back_on` cell: empty without a cancellation, else `date amount` pairs joined by `; `
        /// (`2026-03-01 300.00; 2026-04-02 50.00`), one for each cancellation.
        static func cell(_ all: [Chargeback]) -> String {
            all.map { "\($0.on) \(Money(cents: $0.cents))" }.joined(separator: "; ")
        }

        /// The same in the JSON ledger (`--by decline --format json`): `[{"on": "2026-03-01", "amount": "300.00"}, …]`,
        /// `[]` without a cancellation (dates and amounts are digits and dashes: nothing to escape).
        public static func json(_ all: [Chargeback]) -> String {
            "[" + all.map { "{\"on\":\"\($0.on)\",\"amount\":\"\(Money(cents: $0.cents))\"}" }.joined(separator: ",") + "]"
        }
    }
}

/// What the books show of one arm in a month: the recoveries sold in it and the chargebacks charged back in it.
public struct BooksFigures: Sendable, Equatable {
    public var recovered = 0
    public var grossCents: Int64 = 0
    public var chargebacksCents: Int64 = 0
    public init() {}
    /// Gross of the month's sales − the month's chargebacks (of sales of any month).
    public var netCents: Int64 { grossCents - chargebacksCents }

    mutating func merge(_ o: BooksFigures) {
        recovered += o.recovered
        grossCents += o.grossCents
        chargebacksCents += o.chargebacksCents
    }
}

/// A month of the books view (`report --by sale_month`), keyed `YYYY-MM`: both arms together, and each.
public struct BooksMonth: Sendable, Equatable {
    public var key: String
    public var treated = BooksFigures()
    public var holdout = BooksFigures()
    public init(key: String) { self.key = key }

    /// Both arms together: what the F&I log and the general ledger show for the month.
    public var both: BooksFigures {
        var b = treated
        b.merge(holdout)
        return b
    }

    mutating func merge(_ o: BooksMonth) {
        treated.merge(o.treated)
        holdout.merge(o.holdout)
    }
}

/// The books view of a ledger: each recovery in the month it was sold, each chargeback in the month of its
/// cancellation. Only lines with a recovery add anything (a quiet line has none), so it costs nothing per decline
/// without one.
public struct BooksView: Sendable, Equatable {
    private var months: [String: BooksMonth] = [:]
    public init() {}

    public mutating func add(_ row: LedgerRow) {
        guard let sold = row.recoveredOn else { return }
        let key = BooksView.month(sold)
        months[key, default: BooksMonth(key: key)].add(row.arm) {
            $0.recovered += 1
            $0.grossCents += row.marginGrossCents
        }
        for c in row.chargedBack {
            let key = BooksView.month(c.on)
            months[key, default: BooksMonth(key: key)].add(row.arm) { $0.chargebacksCents += c.cents }
        }
    }

    public mutating func merge(_ other: BooksView) {
        for (key, m) in other.months { months[key, default: BooksMonth(key: key)].merge(m) }
    }

    /// The months with a sale or a chargeback, in order.
    public var sorted: [BooksMonth] { months.values.sorted { $0.key < $1.key } }

    /// `YYYY-MM` of a day.
    static func month(_ day: LocalDate) -> String { String(day.description.prefix(7)) }
}

extension BooksMonth {
    fileprivate mutating func add(_ arm: Arm, _ change: (inout BooksFigures) -> Void) {
        switch arm {
        case .treated: change(&treated)
        case .holdout: change(&holdout)
        }
    }
}
