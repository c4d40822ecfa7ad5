import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The staging tables a chunk of new deals is copied into (`COPY … FROM STDIN`), temporary and per connection, emptied
/// after each chunk and at each commit; the chunk's customers, vehicles, deals, products and events are then written
/// from them, a statement each.
enum DealStage {
    /// One row per deal of the chunk: `ord` its place (1…n), then what its customer, vehicle and deal rows take.
    static let deals: [(name: String, type: String)] = [
        ("ord", "integer"), ("store_id", "bigint"), ("deal_number", "text"), ("match_key", "text"), ("match_hash", "bigint"),
        ("first_name", "text"), ("last_name", "text"), ("email", "text"), ("phone", "text"), ("state", "text"), ("zip", "text"),
        ("customer_number", "text"), ("consent_sms", "boolean"), ("consent_email", "boolean"), ("consent_phone", "boolean"),
        ("consent_source", "text"), ("vin", "text"), ("vin_hash", "bigint"), ("year", "integer"), ("make", "text"),
        ("model", "text"), ("in_service_date", "date"), ("in_service_estimated", "boolean"), ("status", "text"),
        ("contract_date", "date"), ("delivery_date", "date"), ("deal_type", "text"), ("vehicle_condition", "text"),
        ("odometer", "integer"), ("selling_price_cents", "bigint"), ("vehicle_value_cents", "bigint"),
        ("amount_financed_cents", "bigint"), ("apr_milli", "integer"), ("term_months", "integer"), ("first_payment_date", "date"),
        ("lender", "text"), ("salesperson_id", "bigint"), ("fi_manager_id", "bigint"), ("fingerprint", "bigint"),
    ]

    /// One row per product of the chunk's deals: `ord` its deal's place.
    static let products: [(name: String, type: String)] = [
        ("ord", "integer"), ("product_code", "text"), ("outcome", "text"), ("price_cents", "bigint"), ("cost_cents", "bigint"),
        ("reason", "text"), ("presumed", "boolean"),
    ]

    static let dealTable = "afterdesk_stage_deals"
    static let productTable = "afterdesk_stage_products"

    /// The statement that creates a staging table on this connection unless it exists (text compared byte by byte).
    static func create(_ table: String, _ columns: [(name: String, type: String)]) -> PostgresQuery {
        let list = columns.map { "\($0.name) \($0.type)\($0.type == "text" ? " COLLATE \"C\"" : "")" }
        return PostgresQuery(
            unsafeSQL: "CREATE TEMP TABLE IF NOT EXISTS \(table) (\(list.joined(separator: ", "))) ON COMMIT DELETE ROWS")
    }

    /// A deal's staging row, in `deals`' order.
    static func row(_ deal: PreparedDeal, store: Int64, ord: Int, sales: Int64?, fi: Int64?) -> [CopyValue] {
        let r = deal.record
        return [
            .integer(Int64(ord)), .integer(store), .text(r.dealNumber), .text(deal.customerKey), .integer(deal.customerHash),
            .text(r.buyerFirstName), .text(r.buyerLastName), text(r.buyerEmail), text(r.buyerPhone), text(r.buyerState),
            text(r.buyerZip), text(r.customerNumber), flag(r.consent.sms), flag(r.consent.email), flag(r.consent.phone),
            .text(deal.consentSource), .text(r.vin), .integer(deal.vinHash), .integer(Int64(r.vehicleYear)), .text(r.vehicleMake),
            .text(r.vehicleModel), .text(r.inServiceDate.description), flag(r.inServiceEstimated), .text(r.status.rawValue),
            .text(r.contractDate.description), .text(r.deliveryDate.description), .text(r.dealType.rawValue),
            .text(r.vehicleCondition.rawValue), .integer(Int64(r.odometer)), .integer(r.sellingPrice.cents),
            .integer(r.vehicleValue.cents), integer(r.amountFinanced?.cents), integer(r.apr.map { Int64($0.thousandthsOfPercent) }),
            integer(r.termMonths.map(Int64.init)), text(r.firstPaymentDate?.description), text(r.lender), integer(sales),
            integer(fi), .integer(deal.fingerprint),
        ]
    }

    /// A product's staging row, in `products`' order.
    static func row(_ p: ProductLine, ord: Int) -> [CopyValue] {
        [
            .integer(Int64(ord)), .text(p.code), .text(p.outcome.rawValue), integer(p.price?.cents), integer(p.cost?.cents), text(p.reason),
            flag(p.presumed),
        ]
    }

    private static func text(_ s: String?) -> CopyValue { s.map { .text($0) } ?? .null }
    private static func integer(_ i: Int64?) -> CopyValue { i.map { .integer($0) } ?? .null }
    private static func flag(_ b: Bool) -> CopyValue { .integer(b ? 1 : 0) }

    /// The chunk's customers, inserted at their first hash or refreshed there by `CustomerSQL`'s rules, in row order
    /// (their ids ascend as the rows do). `$1` is the import's instant.
    static let customers: PostgresQuery = {
        let source = [
            "store_id", "match_key", "first_name", "last_name", "email", "phone", "state", "zip", "customer_number",
            "consent_sms", "consent_email", "consent_phone", "consent_source", nil, "contract_date", "match_hash",
        ]
        let values = CustomerSQL.values { n in source[n - 1].map { "s.\($0)" } ?? "$1::timestamptz" }
        return PostgresQuery(
            unsafeSQL: """
                \(CustomerSQL.into)
                SELECT \(values.joined(separator: ", ")) FROM \(dealTable) s ORDER BY s.ord
                \(CustomerSQL.onConflict)
                """)
    }()

    /// The chunk's vehicles, inserted at their first hash or refreshed there by `VehicleSQL`'s rules, in row order.
    static let vehicles = PostgresQuery(
        unsafeSQL: """
            \(VehicleSQL.into)
            SELECT s.vin, s.year, s.make, s.model, s.in_service_date, s.in_service_estimated, s.vin_hash
            FROM \(dealTable) s ORDER BY s.ord
            \(VehicleSQL.onConflict)
            """)

    /// The chunk's deals, with the ids `$1` drawn for them (the n-th for `ord` n), linked to the customer and vehicle
    /// at their first hashes; `$2` the run, `$3` the import's instant. Returns each deal's customer.
    static let insertDeals: PostgresQuery = {
        let values = DealValues.columns.map { c in
            switch c {
            case "customer_id": "c.id"
            case "vehicle_id": "v.id"
            case "import_run_id": "$2::int8"
            case "updated_at": "$3::timestamptz"
            default: "s.\(c)"
            }
        }
        let columns = ["id", "store_id", "deal_number"] + DealValues.columns + ["created_at"]
        return PostgresQuery(
            unsafeSQL: """
                INSERT INTO deals (\(columns.joined(separator: ", "))) OVERRIDING SYSTEM VALUE
                SELECT ($1::int8[])[s.ord], s.store_id, s.deal_number, \(values.joined(separator: ", ")), $3::timestamptz
                FROM \(dealTable) s
                JOIN customers c ON c.store_id = s.store_id AND c.match_hash = s.match_hash
                JOIN vehicles v ON v.vin_hash = s.vin_hash
                ORDER BY s.ord
                RETURNING customer_id
                """)
    }()

    static let insertProducts = """
        INSERT INTO deal_products (deal_id, product_code, outcome, price_cents, cost_cents, reason, presumed)
        SELECT ($1::int8[])[p.ord], p.product_code, p.outcome, p.price_cents, p.cost_cents, p.reason, p.presumed
        FROM \(productTable) p ORDER BY p.ord
        """

    /// Empties both staging tables, in one statement. `TRUNCATE`, not `DELETE`: a deleted row stays in its table's pages
    /// until the transaction ends, and the planner sizes a table without statistics by its pages, so after a few chunks
    /// of a batch it took the staging table for many times its rows and joined it to every customer and vehicle by
    /// scanning them whole (most of a million-deal import's time; `TRUNCATE` gives the table new, empty files).
    static let empty = PostgresQuery(unsafeSQL: "TRUNCATE \(productTable), \(dealTable)")
}

extension DealWriter {
    /// Writes a chunk of new, independent deals (`DealChunk`) in a handful of statements: their staff first, in row
    /// order (created as `apply` creates them); the rows copied into the staging tables; then the customers, the
    /// vehicles, the deals (their ids drawn from the identity in row order), the products and the `unwound` events of
    /// deals first imported as unwound.
    mutating func writeChunk(_ deals: ArraySlice<(deal: PreparedDeal, store: Int64)>, into written: inout Written) async throws {
        if !staged {
            try await conn.run(DealStage.create(DealStage.dealTable, DealStage.deals), logger)
            try await conn.run(DealStage.create(DealStage.productTable, DealStage.products), logger)
            staged = true
        }
        var rows = ByteBufferAllocator().buffer(capacity: deals.count * 400)
        var products = ByteBufferAllocator().buffer(capacity: deals.count * 120)
        let (dealTypes, productTypes) = (DealStage.deals.map(\.type), DealStage.products.map(\.type))
        var unwound = false
        for (i, (deal, store)) in deals.enumerated() {
            let r = deal.record
            let sales = try await importer.staffID(conn, store: store, r.salesperson, role: "sales")
            let fi = try await importer.staffID(conn, store: store, r.fiManager, role: "fi")
            CopyText.append(DealStage.row(deal, store: store, ord: i + 1, sales: sales, fi: fi), types: dealTypes, to: &rows)
            for p in r.products { CopyText.append(DealStage.row(p, ord: i + 1), types: productTypes, to: &products) }
            unwound = unwound || r.status == .unwound
        }
        try await copy(rows, into: DealStage.dealTable, DealStage.deals)
        if products.readableBytes > 0 { try await copy(products, into: DealStage.productTable, DealStage.products) }
        try await conn.run(PostgresQuery(unsafeSQL: DealStage.customers.sql, binds: try binds(importer.now)), logger)
        try await conn.run(DealStage.vehicles, logger)
        let ids = try await conn.drawIDs(deals.count, of: "deals", logger)
        let customers = try await conn.all(
            Int64.self, PostgresQuery(unsafeSQL: DealStage.insertDeals.sql, binds: try binds(ids, runID, importer.now)), logger)
        guard ids.count == deals.count, customers.count == deals.count else {
            throw StoreError("a chunk of \(deals.count) deals wrote \(customers.count)", kind: .integrity)
        }
        if products.readableBytes > 0 {
            try await conn.run(PostgresQuery(unsafeSQL: DealStage.insertProducts, binds: try binds(ids)), logger)
        }
        if unwound { try await unwoundEvents(ids) }
        try await conn.run(DealStage.empty, logger)
        for (deal, store) in deals {
            let r = deal.record
            deskSales.add(r, store: store)
            written.counts.inserted += 1
            written.counts.declines += r.declinedCount
            if r.status == .unwound { written.counts.unwinds += 1 }
        }
        if importer.options.planner != nil { written.customers += customers }
    }

    /// Copies COPY text rows into a staging table.
    private func copy(_ buffer: ByteBuffer, into table: String, _ columns: [(name: String, type: String)]) async throws {
        try await conn.watched(what: "COPY \(table)") {
            try await conn.copyFrom(table: table, columns: columns.map(\.name), logger: logger) { writer in
                try await writer.write(buffer)
            }
        }
    }

    /// The `unwound` event of each deal of the chunk first imported as unwound, in row order.
    private func unwoundEvents(_ ids: [Int64]) async throws {
        try await conn.run(
            """
            INSERT INTO events (deal_id, product_code, kind, occurred_on, recorded_at, price_cents, cost_cents, source, detail)
            SELECT (\(ids)::int8[])[s.ord], NULL, 'unwound', \(importer.today), \(importer.now), NULL, NULL, \(source),
                   'first imported as unwound'
            FROM afterdesk_stage_deals s WHERE s.status = 'unwound' ORDER BY s.ord
            """, logger)
    }

    private func binds(_ values: any PostgresEncodable...) throws -> PostgresBindings {
        var b = PostgresBindings(capacity: values.count)
        for v in values { try b.append(v) }
        return b
    }
}
