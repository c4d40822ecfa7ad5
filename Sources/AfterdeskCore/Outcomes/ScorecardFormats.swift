import Foundation

/// The scorecard as INTERFACES.md writes it (`scorecard --format json`), as CSV (a line per group and product), and as
/// a table for a terminal. Money is a string with two decimals, shares a string with four; a figure without deals is
/// null (JSON) or empty (CSV).
public enum ScorecardFormats {
    public static func json(_ s: Scorecard) throws -> Data {
        try ReportFormats.encoder().encode(ScorecardDocument(s))
    }

    public static let csvColumns = [
        "key", "deals", "pvr_desk", "pvr_with_recoveries", "product", "sold_desk", "penetration_desk", "recovered",
        "penetration_with_recoveries",
    ]

    /// The CSV lines' cells: each group's products, then the total's (key `all`). A group without products has one
    /// line with the product cells empty.
    public static func csvRows(_ s: Scorecard) -> [[String]] {
        (s.groups + [s.total]).flatMap { g -> [[String]] in
            let d = GroupDoc(g)
            let head = [d.key, String(d.deals), d.pvrDesk ?? "", d.pvrWithRecoveries ?? ""]
            guard !d.products.isEmpty else { return [head + ["", "", "", "", ""]] }
            return d.products.map {
                head + [
                    $0.code, String($0.soldDesk), $0.penetrationDesk ?? "", String($0.recovered), $0.penetrationWithRecoveries ?? "",
                ]
            }
        }
    }

    /// The table: the scope, then per group its deals and PVR and a line per product.
    public static func text(_ s: Scorecard, dealership: String? = nil) -> String {
        let p = s.parameters
        var out = "F&I scorecard\(dealership.map { ", \($0)" } ?? "")\(p.report.storeHeading)\n"
        out += "Finalized deals contracted \(p.from) to \(min(p.to, p.asOf)); recoveries known on \(p.asOf). "
        out += "PVR is product gross (price − dealer cost) per deal.\n"
        let named = s.groups.map { ("\(label(p.by)) \($0.key)", $0) } + [("All deals", s.total)]
        for (name, g) in named {
            let d = GroupDoc(g)
            out += "\n\(name): \(g.deals.grouped) deals, PVR \(money(g.pvrDeskCents)) at the desk, "
            out += "\(money(g.pvrWithRecoveriesCents)) with recoveries\n"
            out += pad("product", 12) + pad("sold", 10, right: true) + pad("penetration", 13, right: true)
            out += pad("recovered", 11, right: true) + pad("with rec.", 11, right: true) + "\n"
            for prod in d.products {
                out += pad(prod.code, 12) + pad(prod.soldDesk.grouped, 10, right: true)
                out += pad(percent(prod.penetrationDesk), 13, right: true) + pad(prod.recovered.grouped, 11, right: true)
                out += pad(percent(prod.penetrationWithRecoveries), 11, right: true) + "\n"
            }
        }
        return out
    }

    static func label(_ by: ScorecardGrouping) -> String {
        switch by {
        case .fiManager: "F&I manager"
        case .product: "Product"
        case .month: "Month"
        case .store: "Store"
        }
    }

    static func money(_ cents: Int64?) -> String { cents.map { Money(cents: $0).formatted } ?? "—" }

    /// "41.53%" of a four-decimal share; "—" for none.
    public static func percent(_ share: String?) -> String {
        guard let share, let v = Double(share) else { return "—" }
        return String(format: "%.2f%%", v * 100)
    }

    static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let gap = String(repeating: " ", count: max(0, width - s.count))
        return right ? gap + s : s + gap
    }
}

/// The JSON of a scorecard (INTERFACES.md, "`scorecard --format json`").
struct ScorecardDocument: Encodable {
    var from, to, asOf: String
    var store: String?
    var by: String
    var groups: [GroupDoc]
    var total: GroupDoc

    init(_ s: Scorecard) {
        let p = s.parameters
        from = p.from.description
        to = p.to.description
        asOf = p.asOf.description
        store = p.store
        by = p.by.rawValue
        groups = s.groups.map(GroupDoc.init)
        total = GroupDoc(s.total)
    }

    enum CodingKeys: String, CodingKey {
        case from, to, store, by, groups, total
        case asOf = "as_of"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(asOf, forKey: .asOf)
        try c.encode(store, forKey: .store)
        try c.encode(by, forKey: .by)
        try c.encode(groups, forKey: .groups)
        try c.encode(total, forKey: .total)
    }
}

/// A group of the scorecard's JSON, and the figures of its table and CSV.
struct GroupDoc: Encodable {
    struct Product: Encodable {
        var code: String
        var soldDesk: Int
        var penetrationDesk: String?
        var recovered: Int
        var penetrationWithRecoveries: String?

        enum CodingKeys: String, CodingKey {
            case code, recovered
            case soldDesk = "sold_desk"
            case penetrationDesk = "penetration_desk"
            case penetrationWithRecoveries = "penetration_with_recoveries"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(code, forKey: .code)
            try c.encode(soldDesk, forKey: .soldDesk)
            try c.encode(penetrationDesk, forKey: .penetrationDesk)
            try c.encode(recovered, forKey: .recovered)
            try c.encode(penetrationWithRecoveries, forKey: .penetrationWithRecoveries)
        }
    }
    var key: String
    var deals: Int
    var pvrDesk, pvrWithRecoveries: String?
    var products: [Product]

    init(_ g: ScorecardGroup) {
        key = g.key
        deals = g.deals
        pvrDesk = g.pvrDeskCents.map { Money(cents: $0).description }
        pvrWithRecoveries = g.pvrWithRecoveriesCents.map { Money(cents: $0).description }
        products = g.productList.map {
            Product(
                code: $0.code, soldDesk: $0.soldDesk, penetrationDesk: ScorecardFigures.share($0.soldDesk, g.deals),
                recovered: $0.recovered, penetrationWithRecoveries: ScorecardFigures.share($0.soldDesk + $0.recovered, g.deals))
        }
    }

    enum CodingKeys: String, CodingKey {
        case key, deals, products
        case pvrDesk = "pvr_desk"
        case pvrWithRecoveries = "pvr_with_recoveries"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(deals, forKey: .deals)
        try c.encode(pvrDesk, forKey: .pvrDesk)
        try c.encode(pvrWithRecoveries, forKey: .pvrWithRecoveries)
        try c.encode(products, forKey: .products)
    }
}
