import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// Imports odometer readings from service visits (CSV: `vin`, `date`, `odometer`, optional `source`) and
    /// plans again the customers of the vehicles read. Importing the same file again changes nothing.
    public func importReadings(
        file: String, dealershipTimeZone: String, planner: Planner?, now: Date? = nil,
        writeRejectsFile: Bool = true
    ) async throws -> ReadingsSummary {
        // Vehicles are found by VIN through their index, which a bulk deal import drops while it runs.
        try await onOwnThread {
            try self.withImportLock {
                try self.importReadingsLocked(
                    file: file, dealershipTimeZone: dealershipTimeZone, planner: planner, now: now,
                    writeRejectsFile: writeRejectsFile)
            }
        }
    }

    private func importReadingsLocked(
        file: String, dealershipTimeZone: String, planner: Planner?, now: Date?,
        writeRejectsFile: Bool
    ) throws -> ReadingsSummary {
        let (reader, columns) = try ReadingColumns.open(file)
        let zone: TimeZone
        do { zone = try TimeZone.store(dealershipTimeZone) } catch { throw StoreError("the menu's \(error)") }
        let today = LocalDate(clock.now(), in: zone)

        var tally = RowFileTally(file: file, writeRejectsFile: writeRejectsFile)
        var vehicles = Set<Int64>()
        try writer.write { db in
            try Migrations.restoreKeyIndexes(db)  // after a bulk import that was killed
            let statements = try ReadingStatements(db)
            while let next = try tally.nextRow(reader) {
                guard case .ready = next else { continue }
                var errors: [FieldError] = []
                guard let reading = try columns.reading(reader, today: today, statements: statements, errors: &errors) else {
                    tally.reject(reader.rowLine, errors)
                    continue
                }
                let (vehicle, date, miles, readSource) = reading
                let before = try Int.fetchOne(statements.existing, arguments: [vehicle, date.description, readSource])
                guard before != miles else {
                    tally.count(.unchanged)
                    continue
                }
                try statements.upsert.execute(arguments: [vehicle, date.description, miles, readSource])
                tally.count(before == nil ? .inserted : .updated)
                vehicles.insert(vehicle)
            }
        }
        var summary = tally.finish()
        if let planner, !vehicles.isEmpty {
            summary.planned = try planCustomersOnThisThread(
                planner: planner, now: now ?? clock.now(), customerIDs: try owners(of: vehicles))
        }
        return summary
    }

    /// The customers whose deals are on these vehicles.
    private func owners(of vehicles: Set<Int64>) throws -> [Int64] {
        let ids = vehicles.sorted()
        var customers = Set<Int64>()
        for start in stride(from: 0, to: ids.count, by: 1_000) {
            let part = Array(ids[start..<min(ids.count, start + 1_000)])
            try writer.read { db in
                customers.formUnion(
                    try Int64.fetchAll(
                        db,
                        sql: """
                            SELECT DISTINCT customer_id FROM deals WHERE vehicle_id IN (\(part.map { _ in "?" }.joined(separator: ",")))
                            """, arguments: StatementArguments(part)))
            }
        }
        return customers.sorted()
    }
}

/// The statements of a readings import, prepared once.
struct ReadingStatements {
    /// The odometer and delivery date at sale of a vehicle.
    let findVehicle: Statement
    let vehicleAt: RawStatement
    let existing: Statement
    let upsert: Statement

    init(_ db: Database) throws {
        findVehicle = try db.makeStatement(
            sql: """
                SELECT v.id, MAX(d.odometer) AS sale_miles, MAX(d.delivery_date) AS delivered
                FROM vehicles v JOIN deals d ON d.vehicle_id = v.id WHERE v.id = ? GROUP BY v.id
                """)
        vehicleAt = try RawStatement(db, KeyedTable.vehicleAt)
        existing = try db.makeStatement(sql: "SELECT miles FROM odometer_readings WHERE vehicle_id = ? AND read_on = ? AND source = ?")
        upsert = try db.makeStatement(
            sql: """
                INSERT INTO odometer_readings (vehicle_id, read_on, miles, source) VALUES (?, ?, ?, ?)
                ON CONFLICT(vehicle_id, read_on, source) DO UPDATE SET miles = excluded.miles
                """)
    }
}

extension ReadingColumns {
    /// The current row's reading (vehicle id, date, miles, source), or nil with what is wrong in `errors`
    /// (field, value, message).
    func reading(
        _ reader: CSVReader<FileByteSource>, today: LocalDate, statements: ReadingStatements,
        errors: inout [FieldError]
    ) throws -> (vehicle: Int64, date: LocalDate, miles: Int, source: String)? {
        guard let r = fields(reader, today: today, errors: &errors) else { return nil }
        guard let known = try KeyedTable.walk(r.vin, scope: 0, at: statements.vehicleAt).id,
            let row = try Row.fetchOne(statements.findVehicle, arguments: [known])
        else {
            errors.append(("vin", r.vinText, "no deal with this VIN"))
            return nil
        }
        let delivered = (row["delivered"] as String?).flatMap(LocalDate.init)
        if let error = r.belowSale(miles: row["sale_miles"], delivered: delivered) {
            errors.append(error)
            return nil
        }
        return (row["id"], r.day, r.miles, r.source)
    }
}
