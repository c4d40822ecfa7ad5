import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// The fixed models of the page snapshots.
extension PageSnapshotTests {
    static var queue: QueuePage {
        let row = QueuePage.Row(
            href: "/tasks/7", customer: "Ana Ruiz", vehicle: "2026 Honda Accord", products: "Vehicle Service Contract",
            why: "factory warranty projected to end March 14 at 36,000 miles", due: "was due Oct 2, 9:00 AM", overdue: true,
            assignee: "Victor Osei")
        var later = row
        later.href = "/tasks/8"
        later.customer = "Maria Lopez"
        later.overdue = false
        later.due = "due Oct 3, 10:00 AM"
        return QueuePage(
            layout: layout("Tasks", WebPaths.tasks),
            sections: [
                .init(title: "Overdue", id: "overdue", rows: [row], count: 1),
                .init(title: "Upcoming", id: "upcoming", rows: [later], count: 1),
            ], empty: false)
    }

    static var task: TaskPage {
        TaskPage(
            layout: layout("Ana Ruiz", WebPaths.tasks, role: .sales), id: 7,
            customer: "Ana Ruiz", tel: "tel:+15125550123", textBox: nil, phone: "(512) 555-0123", noSMSConsent: true, email: nil,
            vehicle: "2026 Honda Accord", vinTail: "RA000003",
            items: [
                .init(
                    product: "Vehicle Service Contract", code: "vsc", dealNumber: "D-3", quoted: "quoted $3,500.00", quotedPlain: "3500.00",
                    reason: DeclineReason.phrase("payment"), why: "factory warranty projected to end March 14 at 36,000 miles",
                    points: TalkingPoints.points(
                        .init(
                            productName: "Vehicle Service Contract", declineReason: "payment", quoted: Money(cents: 350_000),
                            basicExpiresOn: LocalDate(year: 2029, month: 3, day: 14),
                            basicLimit: "miles",
                            eligibleUntil: LocalDate(year: 2029, month: 3, day: 14))))
            ], severalItems: false, products: [.init(value: "vsc", label: "Vehicle Service Contract")], soldPrice: "3500.00",
            history: [
                .init(at: "Oct 1, 3:00 PM", inbound: false, channel: "email", text: "Your Camry's coverage", status: "delivered"),
                .init(at: "Oct 1, 4:10 PM", inbound: true, channel: "sms", text: "How much a month?", status: "reply"),
            ], noHistory: false, open: true, overdue: true, due: "Oct 2, 9:00 AM",
            callingWindow: "call after 12:00, until 20:00 America/Chicago (Texas: no calls before 12:00 on Sunday)", outcome: nil,
            outcomes: [TaskOutcome.booked, .noAnswer, .notInterested, .wrongNumber, .stopContacting].map {
                .init(value: $0.rawValue, label: PeopleText.outcomeLabels[$0] ?? "")
            }, error: nil, assignee: "Victor Osei")
    }

    static var figures: ReportFigures {
        var t = ReportFigures()
        (t.treated.declines, t.treated.recontacted, t.treated.recovered) = (900, 700, 45)
        (t.treated.grossCents, t.treated.chargebacksCents, t.treated.netCents) = (6_000_000, 400_000, 5_600_000)
        (t.holdout.declines, t.holdout.recovered, t.holdout.grossCents, t.holdout.netCents) = (100, 2, 200_000, 200_000)
        // Net to the store: treated 56,000 − 1,800 reserve − 6,250 commissions − 40 messages; held out 2,000 − 250.
        (t.treated.reserveCents, t.treated.commissionsCents, t.treated.messageCostsCents) = (180_000, 625_000, 4_000)
        (t.treated.netToStoreCents, t.holdout.commissionsCents, t.holdout.netToStoreCents) = (4_791_000, 25_000, 175_000)
        t.aged = 12
        t.incrementalMargin = Estimate(value: 3_600_000, low: 1_200_000, high: 5_100_000)
        t.verdict = Verdict.recovered
        // The anytime interval: 700 closed declines, wider than the fixed one and holding zero.
        t.anytimeSums.treated.closed = 630
        t.anytimeSums.holdout.closed = 70
        t.incrementalMarginAnytime = AnytimeEstimate(
            perDecline: Estimate(value: 4_000, low: -500, high: 8_500), declines: 700,
            scaled: Estimate(value: 3_600_000, low: -450_000, high: 7_650_000))
        t.verdictAnytime = .inconclusive
        return t
    }

    static var dashboard: DashboardController.Page {
        let months = (1...6).map { m in
            DashboardCharts.Month(
                label: "2026-0\(m)", netCents: Int64(m) * 90_000,
                incremental: m == 6 ? Estimate(value: 300_000, low: -100_000, high: 700_000) : nil)
        }
        return DashboardController.Page(
            layout: layout("Dashboard", WebPaths.dashboard, role: .financeDirector), from: "2025-12-01", to: "2026-11-30", store: "",
            groupings: [.init(value: "product", label: "product", selected: true), .init(value: "month", label: "month", selected: false)],
            headline: DashboardController.verdictWords(figures), tooSmall: false,
            tiles: DashboardController.tiles(figures) + DashboardController.anytimeTiles(figures, window: "120-day window"),
            monthChart: DashboardCharts.marginByMonth(months),
            productChart: DashboardCharts.ratesByProduct([
                .init(label: "Vehicle Service Contract", treated: (0.05, 0.04, 0.066), holdout: (0.02, 0.005, 0.07))
            ]), groupLabel: "product",
            rows: [
                .init(
                    key: "Vehicle Service Contract", declines: "1,000", treatedRate: "5.00%", holdoutRate: "2.00%", net: "$58,000.00",
                    incremental: "$36,000.00 ($12,000.00 to $51,000.00)")
            ], csvHref: "/dashboard.csv?from=2025-12-01&to=2026-11-30&by=product", asOf: "2026-11-30", heldOut: "10% of deals are held out",
            attributionDays: 120,
            measuredBy: "A sale counts while the declined product could still be bought, and before the holdout ends (48 months)",
            maturity: "41.20%",
            sales: [
                .init(
                    deal: "D-3 (main)", product: "Vehicle Service Contract", soldOn: "2026-10-02", price: "$3,400.00", cost: "$1,000.00",
                    margin: "$2,400.00", source: "task", counted: "counted")
            ], hasSales: true)
    }

    static var tooSmall: DashboardController.Page {
        var t = figures
        t.verdict = .tooSmall
        t.holdout.declines = 8
        var page = dashboard
        page.headline = DashboardController.verdictWords(t)
        page.tooSmall = true
        t.verdictAnytime = .tooSmall
        t.power = PowerFigures(
            liftSeenCents: 1_800, minimumLiftCents: 2_500, declinesNeeded: 8_200, declinesNeededAtMinimum: 4_300,
            declinesPerMonth: 83.3, monthsToGo: 87, monthsToGoAtMinimum: 40)
        page.tiles = DashboardController.tiles(t) + DashboardController.anytimeTiles(t, window: "120-day window")
        return page
    }

    static var imports: ImportsPage {
        let row = WebImportRow(
            id: 3, user: "kliu", fileName: "november.csv", path: "/var/lib/afterdesk/afterdesk-uploads/3-november.csv", profile: "cdk",
            status: .done, rowsRead: 1200, summary: nil, error: nil, createdAt: utc("2026-11-30T15:00:00Z"),
            finishedAt: utc("2026-11-30T15:00:09Z"))
        return ImportsPage(
            layout: layout("Imports", WebPaths.imports),
            profiles: ImportProfile.all.map { .init(value: $0.name, label: ImportsPage.profileLabel($0.name)) },
            imports: [ImportsPage.Row(row, zone: zone)], error: nil, hasImports: true)
    }

    static var importDone: ImportPage {
        var s = ImportSummary()
        s.read = 3
        s.unchanged = 2
        s.rejected = 1
        s.rejects = [
            ImportReject(
                file: "/srv/x.csv", line: 4, field: "vin", value: "1FTFW1E5YPFA00002", error: "VIN check digit does not match",
                dealNumber: "D-9")
        ]
        let json = String(decoding: (try? JSONEncoder().encode(s)) ?? Data(), as: UTF8.self)
        let row = WebImportRow(
            id: 3, user: "kliu", fileName: "november.csv", path: "/srv/x.csv", profile: "canonical", status: .done, rowsRead: 3,
            summary: json, error: nil, createdAt: utc("2026-11-30T15:00:00Z"), finishedAt: utc("2026-11-30T15:00:09Z"))
        return ImportPage(row, layout: layout("Import 3", WebPaths.imports), zone: zone)
    }

    static var dealsList: DealsPage {
        DealsPage(
            layout: layout("Deals", WebPaths.deals), q: "Ruiz", from: "", to: "",
            rows: [
                .init(
                    href: "/deals/main/D-3", store: "main", number: "D-3", date: "2026-10-01", buyer: "Ana Ruiz",
                    vehicle: "2026 Honda Accord",
                    declined: "Vehicle Service Contract", sold: "", unwound: false)
            ], hasRows: true, first: "1", last: "1", older: nil, newer: nil)
    }

    static var deal: DealPage {
        let touches = [DealCharts.Mark(date: LocalDate(year: 2027, month: 2, day: 1) ?? .first, label: "Vehicle Service Contract: sms")]
        let months = (0..<24).map { m in
            DealCharts.LoanMonth(
                date: (LocalDate(year: 2026, month: 11, day: 15) ?? .first).adding(months: m), balanceCents: 3_400_000 - Int64(m) * 120_000,
                valueCents: 3_100_000 - Int64(m) * 60_000)
        }
        return DealPage(
            layout: layout("Deal D-1", WebPaths.deals), title: "Deal D-1", facts: [.init(label: "Customer", value: "Maria Lopez")],
            products: [
                .init(
                    name: "GAP Protection", outcome: "declined", price: "$895.00", reason: DeclineReason.phrase("payment"), holdout: false,
                    eligibleUntil: "2026-12-30",
                    note: nil,
                    touches: [.init(due: "Oct 4, 2026, 10:00 AM", action: "sms", reason: "3 days after delivery", status: "planned")],
                    hasTouches: true)
            ], events: [], hasEvents: false,
            warrantyChart: DealCharts.warrantyTimeline(
                inService: LocalDate(year: 2026, month: 10, day: 1) ?? .first, today: LocalDate(year: 2026, month: 10, day: 2) ?? .first,
                basic: (LocalDate(year: 2029, month: 3, day: 14) ?? .first, "miles"),
                powertrain: (LocalDate(year: 2031, month: 10, day: 1) ?? .first, "time"),
                touches: touches),
            loanChart: DealCharts.loanAgainstValue(months, today: LocalDate(year: 2026, month: 12, day: 1) ?? .first, touches: touches),
            plannedAt: "2026-10-01T20:00:00Z")
    }

    static var admin: AdminController.Page {
        AdminController.Page(
            layout: layout("Users", WebPaths.adminUsers, role: .admin),
            users: [
                .init(id: 1, name: "kliu", role: "fi_manager", staff: "", store: "every store", active: true, hasPassword: true, tokens: 1)
            ],
            tokens: [.init(id: 1, user: "kliu", label: "adk_AbCdEf…", created: "2026-11-01T00:00:00Z", expires: "never", revoked: nil)],
            roles: Role.allCases.map { .init(value: $0.rawValue, label: $0.label) }, error: nil, newToken: nil,
            registration: {
                var r = TextingRegistration()
                r.brandID = "BA1B2C3"
                r.texas = .customerExemption
                return r.lines(texasStore: true)
            }())
    }

    static var optOuts: OptOutPagesController.Page {
        let stop = OptOutPagesController.Page.Entry(
            address: "+15125550142", channel: "sms", status: "stopped", on: "2026-12-04", by: "by the customer (STOP)", reference: "SM1")
        let restore = OptOutPagesController.Page.Entry(
            address: "+15125550142", channel: "sms", status: "restored", on: "2026-12-05",
            by: "by root (consent recorded: signed form at the desk, dated 2026-12-05)", reference: "")
        return OptOutPagesController.Page(
            layout: layout("Opt-outs", WebPaths.adminOptOuts, role: .admin), entries: [stop], address: "+15125550142",
            history: [stop, restore], today: "2026-12-05", error: nil)
    }

    static var offerHead: OfferHead {
        OfferHead(
            dealership: Dealership(
                name: "Lakeside Motors", zone: TimeZone(identifier: "America/Chicago")!, address: "", phone: "(512) 555-0142"))
    }

    static var offer: OfferPage {
        OfferPage(
            head: offerHead, done: "Thank you, Ana. Someone from Lakeside Motors will call you within the hour.", firstName: "Ana",
            productName: "Vehicle Service Contract", vehicle: "2026 Honda Accord", vinLast4: "0003",
            reason: "Your Honda's factory warranty is projected to end around March 1, 2029 at 36,000 miles.",
            coverage: "Pays for covered repairs after the factory warranty.", price: "$2,495.00", priceLabel: "Your price",
            priceNote: "the price quoted at the desk when you bought your vehicle", until: "March 1, 2029",
            provider: "Lakeside Protection Plans", showButtons: true, action: "/o/AbCdEfGhIjKlMnOpQrStUv",
            hours: "9:00–19:00, closed Sundays",
            pauseDays: 30, unsubscribeURL: "https://afterdesk.example/unsubscribe?c=1&t=x", sms: false, dealership: "Lakeside Motors",
            address: "1200 Lakeshore Drive, Austin, TX 78701")
    }

    static var offerGone: OfferGonePage {
        OfferGonePage(
            head: offerHead, done: nil, heading: "This link has expired", message: "The offer on this page has ended.",
            phone: "(512) 555-0142",
            phoneDigits: "5125550142", action: "/o/AbCdEfGhIjKlMnOpQrStUv", dealership: "Lakeside Motors",
            address: "1200 Lakeshore Drive, Austin, TX 78701")
    }
}
