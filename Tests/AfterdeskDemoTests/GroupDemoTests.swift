import AfterdeskCore
import AfterdeskDemo
import AfterdeskStorage
import AfterdeskTestSupport
import AfterdeskWorkflows
import Foundation
import Testing

/// `afterdesk demo --group` at small scale (issue 30; 75 days, so that some after-sale contracts are cancelled): three rooftops in three states, each under its own menu and
/// rules, and the report pooled (stratified by store) beside each store's own figures.
@Suite struct GroupDemoTests {
    @Test func threeRooftopsRunUnderTheirOwnRulesAndTheReportPoolsAndShowsEach() async throws {
        let demo = try await DemoFixture(days: 75, menu: try MenuFiles.builtInGroup())
        defer { try? FileManager.default.removeItem(at: demo.dir) }
        let deals = try await demo.database.listDeals(DealFilter(limit: 100_000))
        #expect(Set(deals.map(\.store)) == ["austin", "tampa", "tulsa"])
        // After-sale contracts and their cancellations name their store (deal and contract numbers repeat across
        // stores): they land, none refused.
        #expect(demo.report.contracts > 0 && demo.report.cancellations > 0, "\(demo.report.contracts) \(demo.report.cancellations)")
        // Tulsa does not sell appearance protection: none of its deals declines it; the others' do.
        #expect(!deals.contains { $0.store == "tulsa" && $0.declined.contains("appearance") })
        #expect(deals.contains { $0.store == "tampa" && $0.declined.contains("appearance") })
        // Every email carries its own store's address, never another's, and each store's customers got some.
        let addresses = [
            "austin": "1200 Lakeshore Drive, Austin, TX 78701", "tulsa": "4500 Riverside Parkway, Tulsa, OK 74105",
            "tampa": "800 Bayshore Boulevard, Tampa, FL 33606",
        ]
        let emails = try await demo.database.outbox(limit: 100_000).filter { $0.channel == .email }
        for m in emails { #expect(addresses.values.filter { m.body.contains($0) }.count == 1, "\(m.idempotencyKey)") }
        for (store, address) in addresses { #expect(emails.contains { $0.body.contains(address) }, "no email of \(store)") }
        // Florida's numbers (Tampa's customers, mostly) get at most three texts in any 24 hours.
        let florida = try await demo.database.outbox(limit: 100_000).filter {
            $0.channel == .sms && ["813", "656"].contains(AreaCodes.areaCode(of: $0.recipient).map(String.init) ?? "")
        }
        #expect(florida.count > 20)
        for (_, texts) in Dictionary(grouping: florida, by: \.recipient) {
            let times = texts.map(\.createdAt).sorted()
            for (i, t) in times.enumerated() { #expect(times[i...].prefix { $0 < t.addingTimeInterval(86_400) }.count <= 3) }
        }
        // The report: pooled, stratified by store, and each store's own line.
        let closing = try await demo.closing()
        let byStore = try #require(closing.byStore)
        #expect(byStore.groups.compactMap(\.key).sorted() == ["austin", "tampa", "tulsa"])
        #expect(byStore.groups.reduce(0) { $0 + $1.declines } == closing.report.total.declines)
        #expect(closing.text(dealership: "Lakeside Motors").contains("6b. The group's rooftops"))
    }
}
