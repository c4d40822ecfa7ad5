import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

/// A deal's row as the import writes it: the insert (the key is the store and the number) and the update (the key is
/// the deal's id) set the same columns from the same parameters, `$1` being the store or the id.
struct DealValues {
    let record: DealRecord
    let customer: Int64
    let vehicle: Int64
    let sales: Int64?
    let fi: Int64?
    let fingerprint: Int64
    let run: Int64
    let now: Date

    init(record: DealRecord, customer: Int64, vehicle: Int64, sales: Int64?, fi: Int64?, deal: PreparedDeal, run: Int64, now: Date) {
        self.record = record
        self.customer = customer
        self.vehicle = vehicle
        self.sales = sales
        self.fi = fi
        fingerprint = deal.fingerprint
        self.run = run
        self.now = now
    }

    /// The columns from `$3` on, in the order of `bindings`.
    static let columns = [
        "customer_id", "vehicle_id", "status", "contract_date", "delivery_date", "deal_type", "vehicle_condition", "odometer",
        "selling_price_cents", "vehicle_value_cents", "amount_financed_cents", "apr_milli", "term_months", "first_payment_date",
        "lender", "salesperson_id", "fi_manager_id", "fingerprint", "import_run_id", "updated_at",
    ]

    private func bindings(first: Int64) -> PostgresBindings {
        let r = record
        var b = PostgresBindings(capacity: 22)
        b.append(first)
        b.append(r.dealNumber)
        b.append(customer)
        b.append(vehicle)
        b.append(r.status.rawValue)
        b.append(r.contractDate)
        b.append(r.deliveryDate)
        b.append(r.dealType.rawValue)
        b.append(r.vehicleCondition.rawValue)
        b.append(r.odometer)
        b.append(r.sellingPrice.cents)
        b.append(r.vehicleValue.cents)
        b.append(r.amountFinanced?.cents)
        b.append(r.apr?.thousandthsOfPercent)
        b.append(r.termMonths)
        b.append(r.firstPaymentDate)
        b.append(r.lender)
        b.append(sales)
        b.append(fi)
        b.append(fingerprint)
        b.append(run)
        b.append(now)
        return b
    }

    /// The insert of a new deal of `store`, returning its id (created when it was first imported).
    func insert(store: Int64) -> PostgresQuery {
        let columns = ["store_id", "deal_number"] + DealValues.columns + ["created_at"]
        let values = (1...DealValues.columns.count + 2).map { "$\($0)" } + ["$\(DealValues.columns.count + 2)"]
        return PostgresQuery(
            unsafeSQL: """
                INSERT INTO deals (\(columns.joined(separator: ", "))) VALUES (\(values.joined(separator: ", "))) RETURNING id
                """, binds: bindings(first: store))
    }

    /// The update of deal `id`: everything but its key (`$2`, the number, is bound and unused).
    func update(id: Int64) -> PostgresQuery {
        let set = DealValues.columns.enumerated().map { "\($1) = $\($0 + 3)" }
        return PostgresQuery(
            unsafeSQL: "UPDATE deals SET \(set.joined(separator: ", ")) WHERE id = $1", binds: bindings(first: id))
    }
}

/// The desk sales a batch of deals changes (`desk_sales`), counted by `DeskSaleCounts` as the deals are written, then
/// written in the batch's transaction.
extension DealWriter {
    /// Writes the batch's changes of the desk sales, in its transaction.
    mutating func writeDeskSales() async throws {
        // One statement for the batch: its keys are distinct (a dictionary's), so no row is touched twice.
        let changes = deskSales.take()
        guard !changes.isEmpty else { return }
        let (stores, products, days, counts) = (
            changes.map(\.key.store), changes.map(\.key.product), changes.map(\.key.day.description), changes.map { Int64($0.contracts) }
        )
        try await conn.run(
            """
            INSERT INTO desk_sales AS d (store_id, product_code, sold_on, contracts)
            SELECT * FROM unnest(\(stores)::int8[], \(products)::text[], \(days)::text[]::date[], \(counts)::int8[])
            ON CONFLICT (store_id, product_code, sold_on) DO UPDATE SET contracts = d.contracts + excluded.contracts
            """, logger)
    }
}
