import AfterdeskCore
import Foundation
import Testing

/// Deals generated over the whole valid range of every field and at each field's edges go through decode → plan →
/// the dispatch gate. Nothing may trap, and the planning rules must hold for every one: one touch a day, at most three
/// in any rolling 30 days, inside the contact window on the customer's clock, never after the window to buy closes,
/// never before the plan was made. Seeded: the same seed gives the same deals, and a failure names its row.
@Suite struct PlanningPropertyTests {
    let menu = try! MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml")
    let warranties = try! MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")

    /// One value from the edges half the time, else anywhere in the range.
    func pick(_ rng: inout SeededRandom, _ range: ClosedRange<Int>, edges: [Int]) -> Int {
        Bool.random(using: &rng) ? edges.randomElement(using: &rng) ?? range.lowerBound : Int.random(in: range, using: &rng)
    }

    /// A canonical CSV row over the valid range (some values implausible on purpose: they become warnings).
    func randomRow(_ i: Int, _ rng: inout SeededRandom) -> String {
        let special = ["2024-02-29", "2026-03-08", "2026-11-01", "2025-03-09", "2025-11-02", "2025-12-31", "2026-01-01", "2026-11-22"]
        let contract: LocalDate =
            Bool.random(using: &rng)
            ? LocalDate(special.randomElement(using: &rng) ?? "2026-01-01") ?? today
            : today.adding(days: -Int.random(in: 0...2_000, using: &rng))
        let used = Bool.random(using: &rng)
        let year =
            used
            ? Int.random(in: max(1981, contract.year - 20)...contract.year, using: &rng)
            : contract.year + Int.random(in: 0...1, using: &rng)
        // The model-year limit: in service on January 1 of the year before the model year, or any day up to the sale.
        let inService =
            used
            ? (Bool.random(using: &rng)
                ? LocalDate.clamped(year: year - 1, month: 1, day: 1)
                : min(contract, LocalDate.clamped(year: year, month: Int.random(in: 1...12, using: &rng), day: 15)))
            : contract
        let states = ["HI", "AK", "AZ", "PR", "DC", "GU", "FL", "OK", "MD", "TX", "CA", "NY", "ME", "WA", "IN", "VI"]
        let state =
            Bool.random(using: &rng) ? states.randomElement(using: &rng) ?? "TX" : USState.codes.sorted().randomElement(using: &rng) ?? "TX"
        let odometer = pick(&rng, 0...999_999, edges: [0, 1, 5, 999_999, 150_000])
        let aprThousandths = pick(&rng, 0...36_000, edges: [0, 36_000, 1])
        let term = pick(&rng, 1...96, edges: [1, 96, 2])
        let dealType = ["finance", "finance", "lease", "cash"].randomElement(using: &rng) ?? "finance"
        let price = pick(&rng, 1...15_000_000, edges: [1, 100, 15_000_000])  // cents
        let financed = dealType == "cash" ? "" : "\(Double(pick(&rng, 1...20_000_000, edges: [1, 20_000_000])) / 100)"
        let first = dealType == "cash" ? "" : contract.adding(days: Int.random(in: 0...120, using: &rng)).description
        let outcomes = ["declined", "declined", "sold", "not_offered", ""]
        func product(_ code: String) -> [String] {
            let o = outcomes.randomElement(using: &rng) ?? ""
            let quote = ["", "0.01", "99999", "\(Int.random(in: 100...5_000, using: &rng))"].randomElement(using: &rng) ?? ""
            return [
                o, o == "sold" ? "995" : (o == "declined" ? quote : ""),
                o == "declined" ? (["payment", "think", "", "x"].randomElement(using: &rng) ?? "") : "",
            ]
        }
        let vin = SyntheticVIN.make(index: i)
        let cells: [String] =
            [
                "P-\(i)", contract.description, dealType, "Pat", "Doe\(i)", "p\(i)@example.com", "(512) 555-\(String(1000 + i % 9000))",
                state, "", ["Y", "N"].randomElement(using: &rng) ?? "N", vin, String(year),
                ["Toyota", "Hyundai", "BMW", "Zzz"].randomElement(using: &rng) ?? "Ford",
                "Model", used ? "used" : "new", String(odometer), used ? inService.description : "", "\(Double(price) / 100)",
                "\(Double(price) / 100)",
                financed, dealType == "cash" ? "" : "\(Double(aprThousandths) / 1000)", dealType == "cash" ? "" : String(term), first,
            ] + product("vsc") + [outcomes.randomElement(using: &rng) ?? "", ""]
        return cells.map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ",")
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func everyGeneratedDealPlansWithinTheRules(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let rows = (0..<700).map { randomRow($0, &rng) }
        let decoded = try decodeCSVWithWarnings(canonicalHeader + "\n" + rows.joined(separator: "\n") + "\n")
        let records = decoded.compactMap(\.record)
        #expect(records.count > 300, "most generated rows are valid: \(decoded.first { $0.record == nil }?.errors ?? [])")
        let planner = Planner(menu: menu, warranties: warranties)
        var touchesChecked = 0
        var outsideChecked = 0
        for deal in records {
            var deal = deal
            deal.products += ["tire_wheel", "appearance", "maintenance"].map { ProductLine(code: $0, outcome: .declined) }
            let declines = deal.products.filter { $0.outcome == .declined }.map {
                DeclineFacts(
                    store: deal.store, dealNumber: deal.dealNumber, product: $0, deal: deal,
                    laterReadings: [
                        OdometerReading(date: deal.deliveryDate.adding(days: 200), miles: Int.random(in: 0...999_999, using: &rng))
                    ])
            }
            let now = Date(
                timeIntervalSince1970: Double(deal.contractDate.daysSinceEpoch * 86_400 + Int.random(in: 0...(200 * 86_400), using: &rng)))
            let permissions = ContactPermissions(
                sms: Bool.random(using: &rng), email: Bool.random(using: &rng), phone: Bool.random(using: &rng))
            let plan = planner.plan(declines: declines, permissions: permissions, now: now)
            let zone = TimeZone(
                identifier: CustomerTimeZone.zone(state: deal.buyerState, zip: deal.buyerZip, dealershipZone: menu.dealership.timeZone))!
            let window = ContactWindow.forState(deal.buyerState)
            let days = plan.touches.map(\.dueOn)
            #expect(Set(days).count == days.count, "\(deal.dealNumber): two touches on one day")
            for d in days {
                let inThirty = days.filter { $0 <= d && d.daysSinceEpoch - $0.daysSinceEpoch < 30 }.count
                #expect(inThirty <= 3, "\(deal.dealNumber): \(inThirty) touches in the 30 days up to \(d)")
            }
            for t in plan.touches {
                touchesChecked += 1
                outsideChecked += check(t, of: deal, plan: plan, now: now, zone: zone, window: window, permissions: permissions)
            }
        }
        #expect(touchesChecked > 500 && outsideChecked > 500)
    }

    /// The rules one planned touch must keep, and the gate's decision at the moment of sending; returns how many hours
    /// outside the window were checked.
    func check(
        _ t: PlannedTouch, of deal: DealRecord, plan: CustomerPlan, now: Date, zone: TimeZone, window: ContactWindow,
        permissions: ContactPermissions
    ) -> Int {
        let gate = ComplianceGate()
        var outside = 0
        #expect(t.dueAt >= now, "\(deal.dealNumber): due before the plan")
        #expect(
            window.contains(t.dueAt, zone: zone), "\(deal.dealNumber): \(t.dueAt) outside the contact window in \(zone.identifier)")
        for item in t.items {
            let until = plan.products.first { $0.product == item.product && $0.dealNumber == item.dealNumber }?.eligibility.until
            if let until { #expect(t.dueOn <= until, "\(deal.dealNumber) \(item.product): after the window closed on \(until)") }
        }
        // The gate at the moment of sending: never traps, and sends a message only inside the window.
        let input = GateInput(
            action: t.action, items: t.items.map { GateItem(dealNumber: $0.dealNumber, product: $0.product, eligibleUntil: nil) },
            zone: zone, state: deal.buyerState, consent: permissions, hasPhone: true, hasEmail: true,
            lastPurchase: deal.contractDate)
        if case .send = gate.decide(input, now: t.dueAt), t.action != .task {
            #expect(window.contains(t.dueAt, zone: zone))
        }
        // …and at any hour outside it, not at all.
        for hours in stride(from: 1, through: 23, by: 2) where t.action != .task {
            let at = t.dueAt.addingTimeInterval(Double(-hours) * 3600)
            if window.contains(at, zone: zone) { continue }
            outside += 1
            if case .send = gate.decide(input, now: at) { Issue.record("\(deal.dealNumber): sent at \(at) outside the window") }
        }
        return outside
    }
}

/// VINs with a valid check digit, made from an index.
enum SyntheticVIN {
    static func make(index: Int) -> String {
        let alphabet = Array("ABCDEFGHJKLMNPRSTUVWXYZ0123456789")
        var chars = Array("1HGCM82633A000000")
        var n = index
        for p in stride(from: 16, through: 11, by: -1) {
            chars[p] = alphabet[n % alphabet.count]
            n /= alphabet.count
        }
        chars[8] = "0"
        let check = VIN.checkDigit(Array(String(chars).utf8)) ?? "0"
        chars[8] = check
        return String(chars)
    }
}
