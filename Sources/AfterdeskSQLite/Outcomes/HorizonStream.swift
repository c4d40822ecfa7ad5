import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

/// The declines' horizons (`decline_horizons`, v14) in (deal, product) order, merged with the declines as they go: read
/// by a report that measures by horizon only. A row per planned decline, so it is read without a string per row (the
/// product's bytes are compared with the decline's), and only the horizons that can end a decline's measurement: one
/// on or after `to + holdout_months` is after the holdout's end of every decline the report covers. A product whose
/// horizon follows from the contract date (`ContractHorizons`) is computed instead, planned or not.
struct HorizonStream {
    let rows: RawStatement
    private var more: Bool
    private let computed: ContractHorizons

    init(_ db: Database, _ p: ReportParameters, deals range: ClosedRange<Int64>) throws {
        computed = p.contractHorizons
        let skipped = (0..<computed.codes.count).map { "?\($0 + 4)" }.joined(separator: ", ")
        rows = try RawStatement(
            db,
            """
            SELECT deal_id, product_code, horizon_until FROM decline_horizons
            WHERE deal_id BETWEEN ?1 AND ?2 AND horizon_until < ?3 AND product_code NOT IN (\(skipped))
            ORDER BY deal_id, product_code
            """)
        rows.bind(1, range.lowerBound)
        rows.bind(2, range.upperBound)
        rows.bind(3, MeasurementRule.heldOutUntil(contract: p.to, months: p.holdoutMonths))
        for (i, code) in computed.codes.enumerated() { rows.bind(Int32(i + 4), code) }
        more = try rows.step()
    }

    /// The horizon of the decline of `product` on deal `deal` contracted on `contract`: computed when the product's
    /// follows from the contract date, else as stored. Declines must come in (deal, product) order.
    mutating func horizon(deal: Int64, product: String, contract: LocalDate) throws -> LocalDate? {
        if let i = computed.index(of: product) { return computed.horizon(i, contract: contract) }
        return try horizon(deal: deal, product: product)
    }

    /// The horizon of the decline of `product` on deal `deal`, after skipping those before it; nil when none was stored
    /// (never planned, or no rule closes it). Declines must come in (deal, product) order.
    mutating func horizon(deal: Int64, product: String) throws -> LocalDate? {
        while more {
            let d = rows.int64(0)
            if d > deal { return nil }
            if d == deal {
                let order = HorizonStream.compare(rows.bytes(1), product)
                if order > 0 { return nil }
                if order == 0 {
                    let until = LocalDate.parse(rows.bytes(2))
                    more = try rows.step()
                    return until
                }
            }
            more = try rows.step()
        }
        return nil
    }

    /// SQLite's BINARY order of `bytes` and `text`: negative, zero or positive.
    static func compare(_ bytes: UnsafeBufferPointer<UInt8>, _ text: String) -> Int {
        var t = text
        return t.withUTF8 { y in
            let n = min(bytes.count, y.count)
            if n > 0, let xs = bytes.baseAddress, let ys = y.baseAddress {
                let c = memcmp(xs, ys, n)
                if c != 0 { return Int(c) }
            }
            return bytes.count - y.count
        }
    }
}
