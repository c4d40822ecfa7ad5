import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

/// The report over two stores: its `stratified` block, read from the store's ledger.
extension Scenarios {
    @Sendable static func reportOverTwoStores(_ s: any Storage, _ f: Fixture) async throws {
        // The canonical deals, the even-numbered ones moved to a second store.
        let text = try String(contentsOfFile: try f.copy("canonical-good-and-bad.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let even = line.hasPrefix("D-1000") && (line.dropFirst(6).first.map { "02468".contains($0) } ?? false)
            return even ? line.replacingOccurrences(of: ",main,", with: ",north,") : String(line)
        }
        _ = try await s.importDeals(files: [try f.write("two-stores.csv", lines.joined(separator: "\n"))], options: f.importOptions())
        let p = reportParameters()
        let rows = try await ledger(s, p, now: f.now)
        let stores = Set(rows.map(\.store))
        let report = try await s.marginReport(p, now: f.now)
        guard stores.count == 2 else {
            Issue.record("the fixture's declines are in \(stores.sorted()), not two stores")
            return
        }
        let strata = try #require(report.stratified)
        #expect(strata.strata.map(\.key) == ["main", "north"])
        for stratum in strata.strata {
            let mine = rows.filter { $0.store == stratum.key }
            #expect(stratum.treated.declines + stratum.holdout.declines == mine.count)
            #expect(stratum.treated.netCents + stratum.holdout.netCents == mine.reduce(0) { $0 + $1.marginNetCents })
        }
        // One store named: no block.
        var one = p
        one.store = "north"
        #expect(try await s.marginReport(one, now: f.now).stratified == nil)
    }
}
