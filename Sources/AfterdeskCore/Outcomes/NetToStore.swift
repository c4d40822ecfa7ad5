import Foundation

/// What a recovery costs the store beyond its dealer cost and chargebacks (docs/reporting.md, "Net to the store"): the
/// reserve for cancellations still to come, the commission paid on it, and the messages and tasks that followed it up.
public struct NetToStoreRules: Sendable, Equatable {
    /// The menu's commission per product (`commission:`); a product without one pays none.
    public var commissions: [String: Commission] = [:]
    /// The settings' cost per message and per task.
    public var messageCosts = MessageCosts.standard
    /// The menu's cancellation default per product (`cancellation:`): the curve when the store's history of the
    /// product is too short, and the term of its contracts.
    public var cancellation: [String: CancellationTerms] = [:]
    /// The reserve factors of the report, from the store's cancellation history read once per report (the storage
    /// fills it in); nil: not read, no reserve.
    public var reserve: ReserveTable?
    /// With no `reserve` yet: each line's reserve is left due (`LedgerRow.reserveDue`), for the report to settle once
    /// the storage has read the histories in the same pass as the lines (`ReportBuilder.settleReserve`).
    public var defersReserve = false

    public init() {}

    /// The rules of `menu`, with the standard message costs (the caller sets the settings').
    public init(menu: Menu) {
        for p in menu.products {
            if let c = p.commission, commissions[p.code] == nil { commissions[p.code] = c }
            if let c = p.cancellation, cancellation[p.code] == nil { cancellation[p.code] = c }
        }
    }
}

/// A product's commission and spiff on a sale after the desk (menu `commission: {percent: 10, flat: 25.00}`): a percent
/// of its margin gross and a flat amount, paid on every recovery, treated or held out alike.
public struct Commission: Sendable, Equatable {
    /// Hundredths of a percent of the margin gross (10% is 1,000).
    public var percentBasisPoints: Int64
    public var flatCents: Int64

    public init(percentBasisPoints: Int64 = 0, flatCents: Int64 = 0) {
        self.percentBasisPoints = percentBasisPoints
        self.flatCents = flatCents
    }

    /// The commission on a recovery of margin gross `gross`: `gross × percent`, rounded to the cent half away from zero
    /// (nothing on a gross at or below zero), plus the flat amount.
    public func cents(onGross gross: Int64) -> Int64 {
        guard gross > 0, percentBasisPoints > 0 else { return flatCents }
        return FixedPoint.divideRounded(gross * percentBasisPoints, by: 10_000) + flatCents
    }
}

/// What a delivered touch costs, by its channel, in hundredths of a cent (ten-thousandths of a dollar): an SMS of one
/// segment, an email, a task for a person.
public struct MessageCosts: Sendable, Equatable {
    public var smsUnits: Int64
    public var emailUnits: Int64
    public var taskUnits: Int64

    public init(smsUnits: Int64, emailUnits: Int64, taskUnits: Int64) {
        self.smsUnits = smsUnits
        self.emailUnits = emailUnits
        self.taskUnits = taskUnits
    }

    /// The defaults (docs/settings.md): $0.0079 an SMS (Twilio's US price of a segment), $0.0001 an email (Amazon
    /// SES's $0.10 per thousand), $2.00 a task (about five minutes of a person's time at $24 an hour). Assumptions: a
    /// store sets its own.
    public static let standard = MessageCosts(smsUnits: 79, emailUnits: 1, taskUnits: 20_000)

    /// The cost of a touch delivered on `channel` (`sms`, `email`, `task`); another channel costs nothing.
    public func units(channel: String) -> Int64 {
        switch channel {
        case "sms": smsUnits
        case "email": emailUnits
        case "task": taskUnits
        default: 0
        }
    }
}

/// Integer arithmetic of money.
public enum FixedPoint {
    /// `a ÷ b` rounded half away from zero; `b` positive.
    public static func divideRounded(_ a: Int64, by b: Int64) -> Int64 {
        let q = (2 * a.magnitude + b.magnitude) / (2 * b.magnitude)
        return a < 0 ? -Int64(q) : Int64(q)
    }

    /// A non-negative decimal such as `0.0079`, `12.5` or `$2.00` in units of 10^-`decimals` (at most `decimals`
    /// decimals, at most 12 digits before the point); nil otherwise.
    public static func parse(_ text: String, decimals: Int) -> Int64? {
        var t = Substring(text.trimmingCharacters(in: .whitespaces))
        if t.first == "$" { t = t.dropFirst() }
        let parts = t.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty || parts.count == 2, whole.count <= 12,
            whole.allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.count <= decimals, fraction.allSatisfy({ $0.isASCII && $0.isNumber }), !(whole.isEmpty && fraction.isEmpty)
        else { return nil }
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let padded = String(fraction) + String(repeating: "0", count: decimals - fraction.count)
        return (Int64(whole) ?? 0) * scale + (Int64(padded) ?? 0)
    }
}

/// Both arms of a group together, as the dashboard shows them.
extension ReportFigures {
    public var reserveCents: Int64 { treated.reserveCents + holdout.reserveCents }
    public var commissionsCents: Int64 { treated.commissionsCents + holdout.commissionsCents }
    public var messageCostsCents: Int64 { treated.messageCostsCents + holdout.messageCostsCents }
    public var netToStoreCents: Int64 { treated.netToStoreCents + holdout.netToStoreCents }
}
