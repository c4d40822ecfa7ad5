import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// Issue 25, item 2, "Done when": every shipped template rendered for every kind of deal (new or used; cash, finance or
/// lease; quoted or presumed) on the days either side of each edge of its plan (the basic warranty's end, the
/// powertrain's, each class's opening and closing by age or odometer, the product's window, GAP's exposure) and on its
/// planned touch days, through the facts function dispatch uses; no output may hold a phrase of `ClaimsList` while the
/// fact that guards it is false. The offer page's why-now is held to the same list.
@Suite(.talliedByBackend) struct MessageClaimsMatrixTests {
    /// One kind of deal: its CSV row (contract 2026-09-15), and what it stands for.
    struct DealCase {
        let number: String
        let kind: String
        let row: String
    }

    static let claimsHeader =
        header.replacingOccurrences(of: ",odometer,", with: ",odometer,in_service_date,") + ",maintenance_outcome,maintenance_price"

    /// A 17-character VIN with its check digit put right.
    static func vin(_ base: String) -> String {
        var bytes = Array(base.utf8)
        guard bytes.count == 17, let digit = VIN.checkDigit(bytes), let ascii = digit.asciiValue else { return base }
        bytes[8] = ascii
        return String(decoding: bytes, as: UTF8.self)
    }

    static func row(
        _ n: String, type: String, vehicle: String, vin base: String, condition: String, odometer: Int, inService: String,
        finance: Bool, products: String
    ) -> String {
        let money = finance ? "30000,6.9,60,2026-10-30" : ",,,"
        return "\(n),2026-09-15,\(type),Pat,Doe\(n.filter(\.isNumber)),pat\(n.lowercased())@example.com,"
            + "(512) 555-01\(n.filter(\.isNumber)),TX,78701,Y,Y,Y,\(vin(base)),\(vehicle),\(condition),\(odometer),\(inService),"
            + "32000,30000,\(money),S1,Dana Whitfield,F1,Karen Liu,\(products)"
    }

    /// New cars: finance (quoted), cash (declined without a price), lease.
    static let newDeals = [
        DealCase(
            number: "N-10", kind: "new, finance, quoted",
            row: row(
                "N-10", type: "finance", vehicle: "2026,Toyota,Camry", vin: "4T1B11HK0RU000010", condition: "new", odometer: 12,
                inService: "", finance: true, products: "declined,2495,declined,895,declined,799,declined,695,declined,649")),
        DealCase(
            number: "N-11", kind: "new, cash, no price recorded",
            row: row(
                "N-11", type: "cash", vehicle: "2026,Ford,F-150", vin: "1FTFW1E50PFA00011", condition: "new", odometer: 20,
                inService: "", finance: false, products: "declined,,not_offered,,declined,,declined,,declined,")),
        DealCase(
            number: "N-12", kind: "new, lease, quoted",
            row: row(
                "N-12", type: "lease", vehicle: "2026,Honda,Accord", vin: "1HGCV1F30RA000012", condition: "new", odometer: 8,
                inService: "", finance: true, products: "declined,2495,not_offered,,declined,799,declined,695,declined,649")),
    ]

    /// Used cars: inside basic warranty, out of basic with the powertrain running, out of both, near the used class's
    /// age and odometer limits, past them.
    static let usedDeals = [
        DealCase(
            number: "U-20", kind: "used in basic warranty, finance",
            row: row(
                "U-20", type: "finance", vehicle: "2025,Toyota,RAV4", vin: "2T3P1RFV0SW000020", condition: "used", odometer: 15_000,
                inService: "2025-03-01", finance: true, products: "declined,2995,declined,895,declined,799,not_offered,,not_offered,")),
        DealCase(
            number: "U-21", kind: "used out of basic, powertrain running, finance",
            row: row(
                "U-21", type: "finance", vehicle: "2023,Ford,Escape", vin: "1FMCU9G60PU000021", condition: "used", odometer: 40_000,
                inService: "2022-11-01", finance: true, products: "declined,2995,declined,895,not_offered,,not_offered,,not_offered,")),
        DealCase(
            number: "U-22", kind: "used out of every warranty, cash",
            row: row(
                "U-22", type: "cash", vehicle: "2019,Ford,F-150", vin: "1FTEW1E50KF000022", condition: "used", odometer: 72_000,
                inService: "2018-10-01", finance: false, products: "declined,3295,not_offered,,declined,,not_offered,,not_offered,")),
        DealCase(
            number: "U-23", kind: "used near the used class's age and odometer limits, finance",
            row: row(
                "U-23", type: "finance", vehicle: "2017,Chevrolet,Malibu", vin: "1G1ZE5ST0HF000023", condition: "used",
                odometer: 120_000, inService: "2016-12-01", finance: true,
                products: "declined,,declined,895,not_offered,,not_offered,,not_offered,")),
        DealCase(
            number: "U-24", kind: "used past the used class's age, near after-warranty's odometer, cash",
            row: row(
                "U-24", type: "cash", vehicle: "2016,Toyota,Camry", vin: "4T1BF1FK0GU000024", condition: "used", odometer: 146_000,
                inService: "2015-10-01", finance: false, products: "declined,1995,not_offered,,not_offered,,not_offered,,not_offered,")),
    ]

    /// Certified pre-owned deals: a Toyota whose factory basic warranty has ended but whose certified year from the sale
    /// runs, and a Ford still inside its factory basic warranty.
    static let certifiedDeals = [
        DealCase(
            number: "C-25", kind: "certified out of factory basic, certified coverage running, finance",
            row: row(
                "C-25", type: "finance", vehicle: "2023,Toyota,RAV4", vin: "2T3P1RFV2PW000025", condition: "certified", odometer: 41_000,
                inService: "2023-03-01", finance: true, products: "declined,2495,declined,895,not_offered,,not_offered,,declined,")),
        DealCase(
            number: "C-26", kind: "certified in factory basic warranty, cash",
            row: row(
                "C-26", type: "cash", vehicle: "2022,Ford,Escape", vin: "1FMCU9G64NU000026", condition: "certified", odometer: 24_000,
                inService: "2024-02-01", finance: false, products: "declined,,not_offered,,not_offered,,not_offered,,not_offered,")),
    ]

    static var allDeals: [DealCase] { newDeals + usedDeals + certifiedDeals }

    /// The days to render an item on: each edge of its plan, the day before and after, and its planned touch days.
    static func days(_ item: DueItem, product: MenuProduct?, touches: [String: PreviewTouch]) -> [LocalDate] {
        var edges = [item.basicExpiresOn, item.powertrainExpiresOn, item.eligibleUntil, item.gapExposureEndsOn].compactMap { $0 }
        for w in EligibilityWindow.ClassWindow.decode(item.planClasses, product: product) {
            edges.append(w.opens)
            if let u = w.until { edges.append(u) }
        }
        var out = Set(edges.flatMap { [$0.adding(days: -1), $0, $0.adding(days: 1)] })
        out.formUnion(touches.values.compactMap(\.dueOn))
        out.formUnion([30, 365].map { item.contractDate.adding(days: $0) })
        return out.filter { $0 >= item.contractDate }.sorted()
    }

    /// Every rendered part of `name` for the facts: the SMS, the email's subject, text and HTML.
    static func rendered(_ name: String, facts: MessageFacts, templates t: MessageTemplates) -> [String] {
        var out = [t.renderSMS(name, facts: facts)].compactMap { $0 }
        if let e = t.renderEmail(name, facts: facts) { out += [e.subject, e.text, e.html] }
        return out
    }

    @Test(arguments: TestBackend.all) func noTemplateClaimsWhatTheFactsOfTheDayDoNotBack(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend, csv: ([Self.claimsHeader] + Self.allDeals.map(\.row)).joined(separator: "\n") + "\n")
        let d = s.dispatcher
        var problems: [String] = []
        var seenTemplates = Set<String>()
        var renders = 0
        var guardsSeen = Set<String>()
        var dealsSeen = Set<String>()
        for deal in Self.allDeals {
            for product in menu.products {
                guard let (customer, base, _) = try await s.db.previewFacts(dealNumber: deal.number, store: nil, product: product.code)
                else {
                    continue
                }
                dealsSeen.insert(deal.number)
                let touches = try await s.db.previewTouches(dealID: base.dealID, product: product.code)
                let names = d.templates.smsNames.filter { $0.hasPrefix(product.code + "-") }
                for presumed in [false, true] {
                    var item = base
                    item.presumed = presumed
                    for day in Self.days(item, product: product, touches: touches) {
                        var facts = d.facts([item], customer: customer, today: day)
                        // As dispatch sends it: with the offer page's link, a 22-character token.
                        facts.offerURL = "\(s.settings.publicURL)/o/AbCdEfGhIjKlMnOpQrStUv"
                        let context = facts.context
                        for g in ["class", "warranty", "powertrain", "quote", "product.available_until", "gap.exposure_ends"]
                        where ClaimsList.holds(g, in: context) {
                            guardsSeen.insert(g)
                        }
                        // The offer page's why-now speaks from the same facts of the day.
                        for v in ClaimsList.violations(d.whyNow(item, on: day), context: context) {
                            problems.append("why-now for \(deal.number) \(product.code) on \(day): \(v)")
                        }
                        for name in names {
                            seenTemplates.insert(name)
                            for text in Self.rendered(name, facts: facts, templates: d.templates) {
                                renders += 1
                                for v in ClaimsList.violations(text, context: context) {
                                    problems.append(
                                        "\(name) for \(deal.number) (\(deal.kind)) \(product.code) on \(day)"
                                            + "\(presumed ? ", presumed" : ""): \(v)")
                                }
                            }
                            if let sms = d.templates.renderSMS(name, facts: facts), SMSEncoding(sms).segments > 2 {
                                problems.append("\(name) for \(deal.number) on \(day): \(SMSEncoding(sms).segments) segments")
                            }
                        }
                    }
                }
            }
        }
        // Every case imported (a refused row would pass unseen); every template rendered, many times, each guard true somewhere.
        #expect(dealsSeen == Set(Self.allDeals.map(\.number)), "imported: \(dealsSeen.sorted())")
        #expect(seenTemplates == Set(d.templates.smsNames).union(d.templates.emailNames))
        #expect(renders > 2_000)
        #expect(guardsSeen == ["class", "warranty", "powertrain", "quote", "product.available_until", "gap.exposure_ends"])
        let report = "\(problems.count) claims without their fact:\n" + problems.prefix(40).joined(separator: "\n")
        let clean = problems.isEmpty
        #expect(clean, "\(report)")
    }
}
