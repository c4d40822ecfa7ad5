import Foundation

/// The net to the store's fields of an arm or a group (both arms) in the report's JSON: `reserve`, `commissions`,
/// `message_costs`, `net_to_store`, money strings with two decimals.
struct NetToStoreDocument: Encodable {
    var reserve, commissions, messageCosts, netToStore: String

    init(reserve: Int64, commissions: Int64, messageCosts: Int64, netToStore: Int64) {
        self.reserve = Money(cents: reserve).description
        self.commissions = Money(cents: commissions).description
        self.messageCosts = Money(cents: messageCosts).description
        self.netToStore = Money(cents: netToStore).description
    }

    init(_ a: ArmFigures) {
        self.init(
            reserve: a.reserveCents, commissions: a.commissionsCents, messageCosts: a.messageCostsCents, netToStore: a.netToStoreCents)
    }

    init(_ f: ReportFigures) {
        self.init(
            reserve: f.reserveCents, commissions: f.commissionsCents, messageCosts: f.messageCostsCents, netToStore: f.netToStoreCents)
    }

    enum CodingKeys: String, CodingKey {
        case reserve, commissions
        case messageCosts = "message_costs"
        case netToStore = "net_to_store"
    }
}

/// The summary CSV's net to the store columns, after the others.
enum NetToStoreColumns {
    static let summary = ["treated", "holdout"].flatMap { arm in
        ["reserve", "commissions", "message_costs", "net_to_store"].map { "\(arm)_\($0)" }
    }

    static func cells(_ f: ReportFigures) -> [String] {
        [f.treated, f.holdout].flatMap { a in
            [a.reserveCents, a.commissionsCents, a.messageCostsCents, a.netToStoreCents].map { Money(cents: $0).description }
        }
    }
}

/// Which curve each store's product's reserve came from (`reserve_curves` in the report's JSON): `history` (the store's
/// own, from `contracts` contracts) or `menu` (the menu's default, the history having fewer than 30).
struct ReserveCurveDocument: Encodable {
    var store, product, source: String
    var contracts, termMonths: Int

    enum CodingKeys: String, CodingKey {
        case store, product, source, contracts
        case termMonths = "term_months"
    }

    /// The curves of `table` by store and product; nil without a table.
    static func list(_ table: ReserveTable?) -> [ReserveCurveDocument]? {
        guard let table else { return nil }
        return table.curves.keys.sorted().flatMap { store in
            (table.curves[store] ?? [:]).sorted { $0.key < $1.key }.map { product, c in
                ReserveCurveDocument(
                    store: store, product: product, source: c.source.rawValue, contracts: c.contracts, termMonths: c.termMonths)
            }
        }
    }
}

extension ReportText {
    /// One line naming each product's reserve curve: the store's own history or the menu's default.
    static func reserveCurves(_ table: ReserveTable?) -> String? {
        guard let list = ReserveCurveDocument.list(table), !list.isEmpty else { return nil }
        let several = Set(list.map(\.store)).count > 1
        let parts = list.map { c in
            (several ? "\(c.store) " : "") + c.product + ": "
                + (c.source == "history"
                    ? "the store's \(c.contracts.grouped) contracts" : "the menu's default (\(c.contracts.grouped) contracts)")
        }
        return "Reserve curves: " + parts.joined(separator: "; ") + "."
    }
}
