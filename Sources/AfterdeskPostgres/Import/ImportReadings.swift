import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

extension PostgresStorage {
    /// Imports odometer readings from service visits (CSV: `vin`, `date`, `odometer`, optional `source`) in one
    /// transaction, under the import lock as SQLite does, and plans again the customers of the vehicles read. Importing
    /// the same file again changes nothing.
    public func importReadings(file: String, dealershipTimeZone: String, planner: Planner?, now: Date?, writeRejectsFile: Bool)
        async throws -> ReadingsSummary
    {
        let held = try await lock(.importing)
        defer { held.release() }
        let (reader, columns) = try ReadingColumns.open(file)
        let zone: TimeZone
        do { zone = try TimeZone.store(dealershipTimeZone) } catch { throw StoreError("the menu's \(error)") }
        let today = LocalDate(clock.now(), in: zone)
        var tally = RowFileTally(file: file, writeRejectsFile: writeRejectsFile)
        let vehicles = try await write { conn in try await readings(reader, columns: columns, today: today, conn, into: &tally) }
        var summary = tally.finish()
        if let planner, !vehicles.isEmpty {
            let owners = try await read { conn in
                try await conn.all(
                    Int64.self, "SELECT DISTINCT customer_id FROM deals WHERE vehicle_id = ANY(\(vehicles.sorted())) ORDER BY 1", logger)
            }
            summary.planned = try await planCustomers(planner: planner, now: now ?? clock.now(), customerIDs: owners)
        }
        return summary
    }

    /// Reads every row of the file past its header and writes the good readings, counted in `tally`; the vehicles read.
    private func readings(
        _ reader: CSVReader<FileByteSource>, columns: ReadingColumns, today: LocalDate, _ conn: PostgresConnection,
        into tally: inout RowFileTally
    ) async throws -> Set<Int64> {
        var vehicles = Set<Int64>()
        while let next = try tally.nextRow(reader) {
            guard case .ready = next else { continue }
            var errors: [FieldError] = []
            guard let fields = columns.fields(reader, today: today, errors: &errors),
                let (vehicle, source) = try await reading(fields, conn, errors: &errors)
            else {
                tally.reject(reader.rowLine, errors)
                continue
            }
            let before = try await conn.one(
                Int.self,
                "SELECT miles FROM odometer_readings WHERE vehicle_id = \(vehicle) AND read_on = \(fields.day) AND source = \(source)",
                logger)
            guard before != fields.miles else {
                tally.count(.unchanged)
                continue
            }
            try await conn.run(
                """
                INSERT INTO odometer_readings AS o (vehicle_id, read_on, miles, source) VALUES (\(vehicle), \(fields.day), \(fields.miles), \(source))
                ON CONFLICT (vehicle_id, read_on, source) DO UPDATE SET miles = excluded.miles
                """, logger)
            tally.count(before == nil ? .inserted : .updated)
            vehicles.insert(vehicle)
        }
        return vehicles
    }

    /// The vehicle a checked row reads, with its source; nil with what is wrong in `errors` (no deal with the VIN, or
    /// fewer miles than at the sale).
    private func reading(_ r: ReadingColumns.Fields, _ conn: PostgresConnection, errors: inout [FieldError])
        async throws -> (vehicle: Int64, source: String)?
    {
        guard let known = try await PostgresStorage.vehicle(vin: r.vin, conn, logger: logger),
            let (id, saleMiles, delivered) = try await conn.statement(
                """
                SELECT v.id, max(d.odometer), max(d.delivery_date)
                FROM vehicles v JOIN deals d ON d.vehicle_id = v.id WHERE v.id = \(known) GROUP BY v.id
                """, logger: logger
            ).decode((Int64, Int?, LocalDate?).self).first(where: { _ in true })
        else {
            errors.append(("vin", r.vinText, "no deal with this VIN"))
            return nil
        }
        if let error = r.belowSale(miles: saleMiles, delivered: delivered) {
            errors.append(error)
            return nil
        }
        return (id, r.source)
    }
}
