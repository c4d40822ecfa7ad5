import Foundation
import Testing

@testable import AfterdeskCore

/// The worked example of docs/reporting.md: twelve declines on eight deals of store LM, as of 2026-06-30, with a
/// 120-day attribution window. Every expected number below is derived by hand in the comments.
enum WorkedExample {
    static func d(_ s: String) -> LocalDate { LocalDate(s)! }
    static func touch(_ id: Int64, _ on: String, _ channel: String) -> DeclineHistory.Touch {
        DeclineHistory.Touch(id: id, sentAt: on + "T15:00:00Z", sentOn: d(on), channel: channel, template: "\(channel)-template")
    }
    static func sale(_ source: RecoverySource, _ on: String, _ price: Int64, _ cost: Int64, _ contract: String? = nil)
        -> DeclineHistory.Sale
    {
        DeclineHistory.Sale(source: source, soldOn: d(on), priceCents: price * 100, costCents: cost * 100, contractNumber: contract)
    }
    static func decline(
        _ deal: String, _ product: String, _ contract: String, held: Bool = false, quoted: Int64, touches: [DeclineHistory.Touch] = [],
        sales: [DeclineHistory.Sale] = [], cancellations: [DeclineHistory.Cancellation] = [], tasks: [DeclineHistory.TaskState] = []
    ) -> DeclineHistory {
        DeclineHistory(
            store: "LM", dealNumber: deal, product: product, contractDate: d(contract), heldOut: held, quotedCents: quoted * 100,
            fiManager: deal < "D-5" ? "F1" : "F2", touches: touches, sales: sales, cancellations: cancellations, tasks: tasks)
    }

    static let histories: [DeclineHistory] = [
        // D-1, treated. VSC reported sold three times: by a task (Feb 8, $2,400), the deal import (Feb 12, $2,450) and
        // after-sale contract AS-1 (Feb 10, $2,495 / cost $1,150): one recovery, the contract's, gross $1,345. The SMS of
        // Feb 1 gets the credit. GAP: nothing.
        decline(
            "D-1", "vsc", "2026-01-10", quoted: 2_495, touches: [touch(11, "2026-02-01", "sms")],
            sales: [
                sale(.task, "2026-02-08", 2_400, 1_150), sale(.dealImport, "2026-02-12", 2_450, 1_150),
                sale(.contract, "2026-02-10", 2_495, 1_150, "AS-1"),
            ]),
        decline("D-1", "gap", "2026-01-10", quoted: 895),
        // D-2, treated. Tire & wheel by a task (Mar 5, $799) and the deal import (Mar 20, $750 / $260): the import's
        // figures, gross $490, on Mar 20; the email of Mar 1 gets the credit.
        decline(
            "D-2", "tire_wheel", "2026-01-20", quoted: 799, touches: [touch(12, "2026-03-01", "email")],
            sales: [sale(.task, "2026-03-05", 799, 260), sale(.dealImport, "2026-03-20", 750, 260)]),
        // D-3, treated. Contract AS-3 on Jun 1, exactly 120 days after Feb 1: recovered, gross $1,200; cancelled Jun 20 with
        // a $600 chargeback: net $600. No touch: unattributed.
        decline(
            "D-3", "vsc", "2026-02-01", quoted: 2_200, sales: [sale(.contract, "2026-06-01", 2_200, 1_000, "AS-3")],
            cancellations: [DeclineHistory.Cancellation(contractNumber: "AS-3", cancelDate: d("2026-06-20"), chargebackCents: 60_000)]),
        // D-4, treated. Contract AS-4 on Jun 2, 121 days after Feb 1: outside the window, not recovered. Re-contacted by SMS.
        decline(
            "D-4", "gap", "2026-02-01", quoted: 895, touches: [touch(14, "2026-02-05", "sms")],
            sales: [sale(.contract, "2026-06-02", 895, 300, "AS-4")]),
        // D-5, treated. Appearance by contract AS-5 on Apr 1, gross $515; its cancellation is dated Jul 15, after as_of: not
        // counted. The task of Mar 10 gets the credit (done on time). Maintenance: nothing.
        decline(
            "D-5", "appearance", "2026-03-01", quoted: 695, touches: [touch(15, "2026-03-10", "task")],
            sales: [sale(.contract, "2026-04-01", 695, 180, "AS-5")],
            cancellations: [DeclineHistory.Cancellation(contractNumber: "AS-5", cancelDate: d("2026-07-15"), chargebackCents: 30_000)],
            tasks: [DeclineHistory.TaskState(done: true, onTime: true, overdue: false)]),
        decline("D-5", "maintenance", "2026-03-01", quoted: 649),
        // D-6, treated. 46 days old at as_of with no touch: aged.
        decline("D-6", "vsc", "2026-05-15", quoted: 2_495),
        // D-7, held out. VSC by contract AS-7 on Mar 1, gross $1,345; never attributed. GAP: nothing.
        decline(
            "D-7", "vsc", "2026-01-15", held: true, quoted: 2_495, touches: [],
            sales: [sale(.contract, "2026-03-01", 2_495, 1_150, "AS-7")]),
        decline("D-7", "gap", "2026-01-15", held: true, quoted: 895),
        // D-8, held out. Nothing.
        decline("D-8", "tire_wheel", "2026-04-01", held: true, quoted: 799),
        decline("D-8", "appearance", "2026-04-01", held: true, quoted: 695),
    ]

    static func parameters(by: ReportGrouping? = nil) -> ReportParameters {
        ReportParameters(
            asOf: d("2026-06-30"), from: d("2025-07-01"), to: d("2026-06-30"), by: by, attributionDays: 120, holdoutPercent: 10)
    }

    static func report(by: ReportGrouping? = nil) -> (rows: [LedgerRow], report: MarginReport) {
        let p = parameters(by: by)
        let rows = histories.map { LedgerRow($0, rules: p.rules) }
        var builder = ReportBuilder(p)
        for r in rows { builder.add(r) }
        // One refused row held one more declined product: 13 declines in the exports.
        return (rows, builder.finish(declinesInExports: 13))
    }
}

@Suite struct ReportTests {
    @Test func theWorkedExampleGivesEveryFigure() throws {
        // Setup and action.
        let (rows, report) = WorkedExample.report()
        let t = report.total

        // Check the ledger lines that show each rule.
        let d1 = rows[0]
        #expect(d1.recoverySource == .contract && d1.contractNumber == "AS-1" && d1.priceCents == 249_500 && d1.marginGrossCents == 134_500)
        #expect(d1.recoveredOn == WorkedExample.d("2026-02-10") && d1.attributedTouch == 11 && d1.attributedChannel == "sms")
        let d2 = rows[2]
        #expect(d2.recoverySource == .dealImport && d2.priceCents == 75_000 && d2.marginGrossCents == 49_000 && d2.attributedTouch == 12)
        let d3 = rows[3]
        #expect(d3.recovered && d3.chargebacksCents == 60_000 && d3.marginNetCents == 60_000 && d3.attributedTouch == nil)
        #expect(!rows[4].recovered && rows[4].recontacted)  // 121 days: outside
        #expect(rows[5].chargebacksCents == 0 && rows[5].marginNetCents == 51_500 && rows[5].tasksDone == 1)  // chargeback after as_of
        #expect(rows[7].aged && rows[8].recovered && rows[8].attributedTouch == nil && rows[8].arm == .holdout)

        // Check the summary. Treated: 8 declines on 6 deals; recovered D-1 vsc, D-2 tire & wheel, D-3 vsc, D-5 appearance
        // = 4, rate 4/8 = 0.5; gross 1,345 + 490 + 1,200 + 515 = $3,550; chargebacks $600; net $2,950; per decline
        // 2,950 / 8 = $368.75. Held out: 4 declines on 2 deals; 1 recovered, rate 0.25; gross = net = $1,345; per decline
        // 1,345 / 4 = $336.25.
        #expect(t.deals == 8 && t.declines == 12 && t.declinesInExports == 13)
        #expect(t.treated.declines == 8 && t.treated.recovered == 4 && t.treated.recoveryRate == 0.5)
        #expect(t.treated.grossCents == 355_000 && t.treated.chargebacksCents == 60_000 && t.treated.netCents == 295_000)
        #expect(t.treated.marginPerDeclineCents == 36_875)
        #expect(t.holdout.declines == 4 && t.holdout.recovered == 1 && t.holdout.recoveryRate == 0.25)
        #expect(t.holdout.grossCents == 134_500 && t.holdout.netCents == 134_500 && t.holdout.marginPerDeclineCents == 33_625)
        // Capture 12 / 13; re-contacted D-1 vsc, D-2, D-4, D-5 appearance: 4 / 8; aged D-1 gap, D-3, D-5 maintenance, D-6 = 4.
        #expect(ReportFormats.rate(t.captureRate) == "0.9231" && t.recontactRate == 0.5 && t.aged == 4)
        // Attributed D-1, D-2, D-5; unattributed D-3. Tasks: one, done on time.
        #expect(t.attributed == 3 && t.unattributed == 1)
        #expect(t.tasksDone == 1 && t.tasksDoneOnTime == 1 && t.tasksOpen == 0 && t.tasksOverdue == 0)
        // Rate difference 0.5 − 0.25 = 0.25; incremental margin (368.75 − 336.25) × 8 = $260.00.
        #expect(t.rateDifference?.value == 0.25)
        #expect(ReportFormats.money(t.incrementalMargin?.value) == "260.00")
        // Too small: 8 treated and 4 held-out declines are under 30 each.
        #expect(t.verdict == .tooSmall)
        #expect(ReportText.headline(t).contains("too small to conclude (n = 8 treated and 4 held-out declines, 5 recoveries)"))
        #expect(!ReportText.headline(t).contains("$260"))
    }

    @Test func theJSONIsTheDocumentedShape() throws {
        let (_, report) = WorkedExample.report(by: .product)
        let object = try #require(try JSONSerialization.jsonObject(with: ReportFormats.json(report)) as? [String: Any])
        #expect(
            object["as_of"] as? String == "2026-06-30" && object["attribution_days"] as? Int == 120 && object["by"] as? String == "product")
        let total = try #require(object["total"] as? [String: Any])
        let treated = try #require(total["treated"] as? [String: Any])
        #expect(treated["margin_net"] as? String == "2950.00" && treated["recovery_rate"] as? String == "0.5000")
        #expect(treated["margin_per_decline"] as? String == "368.75" && treated["recontacted"] as? Int == 4)
        #expect((total["holdout"] as? [String: Any])?["recontacted"] == nil)
        #expect((total["incremental_margin"] as? [String: Any])?["value"] as? String == "260.00")
        #expect(total["verdict"] as? String == "too_small" && total["capture_rate"] as? String == "0.9231")
        #expect((total["tasks"] as? [String: Any])?["done_on_time"] as? Int == 1)
        let groups = try #require(object["groups"] as? [[String: Any]])
        #expect(groups.map { $0["key"] as? String } == ["appearance", "gap", "maintenance", "tire_wheel", "vsc"])
        // VSC: D-1, D-3, D-6 treated and D-7 held out: 4 declines on 4 deals; 2 treated recoveries and 1 held out.
        let vsc = try #require(groups.last)
        #expect(vsc["deals"] as? Int == 4 && vsc["declines"] as? Int == 4)
        #expect(
            (vsc["treated"] as? [String: Any])?["recovered"] as? Int == 2 && (vsc["holdout"] as? [String: Any])?["recovered"] as? Int == 1)
    }

    @Test func attributionAtTheWindowsEdges() {
        let rules = ReportRules(asOf: LocalDate("2026-12-31")!, attributionDays: 120)
        func row(sale: String, touch: String?) -> LedgerRow {
            LedgerRow(
                DeclineHistory(
                    store: "LM", dealNumber: "E", product: "vsc", contractDate: LocalDate("2026-01-01")!, heldOut: false,
                    touches: touch.map { [WorkedExample.touch(1, $0, "sms")] } ?? [],
                    sales: [WorkedExample.sale(.task, sale, 1_000, 400)]), rules: rules)
        }
        // The sale: 2026-05-01 is 120 days after 2026-01-01 (30 + 28 + 31 + 30 + 1), 2026-05-02 is 121.
        #expect(row(sale: "2026-05-01", touch: nil).recovered)
        #expect(!row(sale: "2026-05-02", touch: nil).recovered)
        // The touch: on 2026-01-01, exactly 120 days before a sale on 2026-05-01, it is credited; so is one on the day of
        // the sale. (A touch is never earlier than the contract, so with the sale inside the window every earlier touch is
        // inside too: the two windows meet at the same edge.)
        #expect(row(sale: "2026-05-01", touch: "2026-01-01").attributedTouch == 1)
        #expect(row(sale: "2026-02-01", touch: "2026-02-01").attributedTouch == 1)
        // A touch after the sale gets no credit, and the recovery is unattributed.
        #expect(row(sale: "2026-02-01", touch: "2026-02-02").attributedTouch == nil)
        #expect(row(sale: "2026-02-01", touch: "2026-02-02").recovered)
        // A sale after as_of has not happened yet; one before the contract date is not a re-approach.
        let early = ReportRules(asOf: LocalDate("2026-02-01")!, attributionDays: 120)
        #expect(
            !LedgerRow(
                DeclineHistory(
                    store: "LM", dealNumber: "E", product: "vsc", contractDate: LocalDate("2026-01-01")!, heldOut: false,
                    sales: [WorkedExample.sale(.task, "2026-02-02", 1_000, 400), WorkedExample.sale(.task, "2025-12-31", 1_000, 400)]),
                rules: early
            ).recovered)
    }

    @Test func aSaleWithoutACostTakesTheMenusDealerCost() {
        // A task closed as sold at $995 without a cost: the menu's dealer cost of $300 gives $695 gross.
        let rules = ReportRules(asOf: LocalDate("2026-12-31")!, attributionDays: 120, dealerCosts: ["gap": 30_000])
        let sale = DeclineHistory.Sale(source: .task, soldOn: LocalDate("2026-02-01")!, priceCents: 99_500, costCents: nil)
        let row = LedgerRow(
            DeclineHistory(
                store: "LM", dealNumber: "E", product: "gap", contractDate: LocalDate("2026-01-01")!, heldOut: false, sales: [sale]),
            rules: rules)
        #expect(row.costCents == 30_000 && row.marginGrossCents == 69_500)
    }

    @Test func theSameReportTwiceGivesTheSameInterval() {
        // Setup: 200 treated deals of 2 declines, one in eight recovering $600 net, 60 held-out deals, one in twenty.
        var histories: [DeclineHistory] = []
        for i in 0..<260 {
            let held = i >= 200
            for product in ["vsc", "gap"] {
                let recovers = product == "vsc" && (held ? i % 20 == 0 : i % 8 == 0)
                histories.append(
                    WorkedExample.decline(
                        "D-\(i)", product, "2026-01-10", held: held, quoted: 1_000,
                        sales: recovers ? [WorkedExample.sale(.contract, "2026-02-01", 1_000, 400, "C-\(i)")] : []))
            }
        }
        func build(_ p: ReportParameters) -> MarginReport {
            var b = ReportBuilder(p)
            for h in histories { b.add(LedgerRow(h, rules: p.rules)) }
            return b.finish()
        }
        // Action.
        var p = WorkedExample.parameters()
        p.resamples = 2_000
        let a = build(p)
        let b = build(p)
        p.asOf = p.asOf.adding(days: 1)
        let c = build(p)

        // Check: equal for the same parameters, another seed for other parameters; 120 held-out declines, 520 in all.
        #expect(a.total.incrementalMargin == b.total.incrementalMargin)
        #expect(a.total.incrementalMargin != c.total.incrementalMargin)
        #expect(a.total.treated.declines == 400 && a.total.holdout.declines == 120)
        // 25 treated recoveries, $15,000 net over 400 declines = $37.50; 3 held out, $1,800 over 120 = $15.00;
        // (37.50 − 15.00) × 400 = $9,000.
        #expect(ReportFormats.money(a.total.incrementalMargin?.value) == "9000.00")
        let m = a.total.incrementalMargin
        #expect(m.map { $0.low < $0.value && $0.value < $0.high } == true)
    }

    @Test func tooSmallSaysSoInWords() {
        var p = WorkedExample.parameters()
        p.resamples = 200
        var b = ReportBuilder(p)
        b.add(LedgerRow(WorkedExample.decline("D-1", "vsc", "2026-01-10", quoted: 1_000), rules: p.rules))
        let r = b.finish()
        #expect(r.total.verdict == .tooSmall)
        #expect(r.total.incrementalMargin == nil)  // no held-out decline at all
        #expect(ReportText.render(r).contains("too small to conclude (n = 1 treated and 0 held-out declines, 0 recoveries)"))
    }
}

/// For random ledgers, the summary is the sums of its `--by decline` lines, and the groups add up to the total.
@Suite struct LedgerPropertyTests {
    /// The line the report builds for a decline with nothing after the desk is the one its history gives, whatever the
    /// arm, date, quote and F&I manager, and even with a cancellation (which counts only against a sale).
    @Test func aQuietLineIsItsHistorysLine() {
        var rng = SeededRandom(seed: 77)
        var quiets: [QuietLine] = []
        for i in 0..<2_000 {
            let contract = LocalDate("2025-06-01")!.adding(days: Int.random(in: 0...600, using: &rng))
            let rules = ReportRules(
                asOf: LocalDate("2026-06-01")!.adding(days: Int.random(in: -400...200, using: &rng)),
                attributionDays: Int.random(in: 1...180, using: &rng), dealerCosts: ["gap": 300])
            let held = rng.chance(0.3)
            let quoted: Int64? = rng.chance(0.2) ? nil : Int64.random(in: 0...500_000, using: &rng)
            let fi = rng.pick(["F1", nil])
            let product = rng.pick(["vsc", "gap", "tire_wheel"])
            var h = DeclineHistory(
                store: "S\(i % 3)", dealNumber: "D-\(i)", product: product, contractDate: contract, heldOut: held, quotedCents: quoted,
                fiManager: fi)
            if rng.chance(0.3) {
                h.cancellations = [.init(contractNumber: nil, cancelDate: contract.adding(days: 9), chargebackCents: 100)]
            }
            let quiet = QuietLine(
                store: h.store, dealNumber: h.dealNumber, product: product, contractDate: contract, heldOut: held, quotedCents: quoted,
                fiManager: fi, rules: rules)
            #expect(LedgerRow(quiet) == LedgerRow(h, rules: rules), "decline \(i)")
            quiets.append(quiet)
        }
        // Added as they are or as their full lines, they make the same report, in every grouping.
        for by in [nil, ReportGrouping.product, .month, .staff, .store] {
            var p = WorkedExample.parameters(by: by)
            p.resamples = 300
            var fast = ReportBuilder(p)
            var full = ReportBuilder(p)
            for q in quiets {
                fast.add(q)
                full.add(LedgerRow(q))
            }
            #expect(fast.finish() == full.finish(), "by \(by.map(\.rawValue) ?? "total")")
        }
    }

    @Test func theSummaryIsTheSumOfItsLines() {
        var rng = SeededRandom(seed: 2026)
        let products = ["vsc", "gap", "tire_wheel", "appearance", "maintenance"]
        for round in 0..<40 {
            var histories: [DeclineHistory] = []
            for deal in 0..<Int.random(in: 1...60, using: &rng) {
                let held = rng.chance(0.2)
                let contract = LocalDate("2026-01-01")!.adding(days: Int.random(in: 0...300, using: &rng))
                for product in products.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng)).sorted() {
                    var h = WorkedExample.decline("R\(round)-\(deal)", product, contract.description, held: held, quoted: 900)
                    h.fiManager = rng.pick(["F1", "F2", nil])
                    if !held && rng.chance(0.5) {
                        var t = WorkedExample.touch(
                            Int64(deal), contract.adding(days: Int.random(in: 0...200, using: &rng)).description,
                            rng.pick(["sms", "email", "task"]))
                        t.carriesCost = rng.chance(0.7)
                        h.touches = [t]
                    }
                    for source in RecoverySource.allCases where rng.chance(0.15) {
                        let on = contract.adding(days: Int.random(in: -5...200, using: &rng))
                        h.sales.append(
                            WorkedExample.sale(source, on.description, Int64.random(in: 100...3_000, using: &rng), 90, "K\(deal)"))
                        if rng.chance(0.3) {
                            h.cancellations.append(
                                .init(
                                    contractNumber: source == .contract ? "K\(deal)" : nil, cancelDate: on.adding(days: 40),
                                    chargebackCents: 5_000))
                        }
                    }
                    if rng.chance(0.3) { h.tasks = [.init(done: rng.chance(0.5), onTime: rng.chance(0.5), overdue: rng.chance(0.5))] }
                    histories.append(h)
                }
            }
            for by in [ReportGrouping.product, .month, .staff, .store] {
                var p = WorkedExample.parameters(by: by)
                p.asOf = LocalDate("2026-09-01")!
                p.resamples = 50
                p.netToStore = NetToStoreTests.randomRules(round)
                let rows = histories.map { LedgerRow($0, rules: p.rules) }
                var b = ReportBuilder(p)
                for r in rows { b.add(r) }
                let report = b.finish()
                check(report.total, rows, "round \(round) total")
                for g in report.groups { check(g, rows.filter { p.groupKey($0) == g.key }, "round \(round) \(by) \(g.key ?? "")") }
                #expect(report.groups.reduce(0) { $0 + $1.declines } == report.total.declines)
                // The reserve left due on each line and settled once the table is known (as the storage does when it
                // counts the histories in the ledger's pass) makes the same report.
                var q = p
                q.netToStore.reserve = nil
                q.netToStore.defersReserve = true
                var later = ReportBuilder(q)
                for h in histories { later.add(LedgerRow(h, rules: q.rules)) }
                if let table = p.netToStore.reserve { later.settleReserve(table) }
                #expect(later.finish() == report, "round \(round) \(by): the reserve settled after the lines")
            }
        }
    }

    func check(_ f: ReportFigures, _ rows: [LedgerRow], _ label: String) {
        for (arm, figures) in [(Arm.treated, f.treated), (.holdout, f.holdout)] {
            let lines = rows.filter { $0.arm == arm }
            #expect(figures.declines == lines.count, "\(label)")
            #expect(figures.recovered == lines.filter(\.recovered).count, "\(label)")
            #expect(figures.grossCents == lines.reduce(0) { $0 + $1.marginGrossCents }, "\(label)")
            #expect(figures.chargebacksCents == lines.reduce(0) { $0 + $1.chargebacksCents }, "\(label)")
            #expect(figures.netCents == lines.reduce(0) { $0 + $1.marginNetCents }, "\(label)")
            #expect(figures.recontacted == lines.filter(\.recontacted).count, "\(label)")
            #expect(figures.reserveCents == lines.reduce(0) { $0 + $1.reserveCents }, "\(label)")
            #expect(figures.commissionsCents == lines.reduce(0) { $0 + $1.commissionsCents }, "\(label)")
            #expect(figures.messageCostsCents == lines.reduce(0) { $0 + $1.messageCostsCents }, "\(label)")
            #expect(figures.netToStoreCents == lines.reduce(0) { $0 + $1.netToStoreCents }, "\(label)")
        }
        #expect(f.deals == Set(rows.map { "\($0.store)|\($0.dealNumber)" }).count, "\(label)")
        #expect(f.aged == rows.filter(\.aged).count, "\(label)")
        #expect(f.attributed == rows.filter { $0.recovered && $0.arm == .treated && $0.attributedTouch != nil }.count, "\(label)")
        #expect(f.unattributed == rows.filter { $0.recovered && $0.arm == .treated && $0.attributedTouch == nil }.count, "\(label)")
        #expect(f.tasksDone == rows.reduce(0) { $0 + $1.tasksDone } && f.tasksOpen == rows.reduce(0) { $0 + $1.tasksOpen }, "\(label)")
        #expect(f.tasksOverdue == rows.reduce(0) { $0 + $1.tasksOverdue }, "\(label)")
        #expect(rows.allSatisfy { $0.marginNetCents == $0.marginGrossCents - $0.chargebacksCents }, "\(label)")
    }
}
