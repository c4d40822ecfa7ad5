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
