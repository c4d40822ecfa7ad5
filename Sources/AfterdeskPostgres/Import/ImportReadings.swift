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
        let name = (file as NSString).lastPathComponent
        let (reader, columns) = try ReadingColumns.open(file)
        let zone: TimeZone
        do { zone = try TimeZone.store(dealershipTimeZone) } catch { throw StoreError("the menu's \(error)") }
        let today = LocalDate(clock.now(), in: zone)
        var rejectsOut = RejectsFile(inputPath: file, enabled: writeRejectsFile)
        let (written, vehicles) = try await write { conn in
            try await readings(reader, columns: columns, file: name, today: today, conn, rejectsOut: &rejectsOut)
        }
        var summary = written
        var finished = ImportSummary()
        rejectsOut.finish(into: &finished)
        summary.rejectsFile = finished.rejectsFiles.first
        if let planner, !vehicles.isEmpty {
            let owners = try await read { conn in
                try await conn.all(
                    Int64.self, "SELECT DISTINCT customer_id FROM deals WHERE vehicle_id = ANY(\(vehicles.sorted())) ORDER BY 1", logger)
            }
            summary.planned = try await planCustomers(planner: planner, now: now ?? clock.now(), customerIDs: owners)
        }
        return summary
    }

    /// Reads every row of the file past its header and writes the good readings; the summary and the vehicles read.
    private func readings(
        _ reader: CSVReader<FileByteSource>, columns: ReadingColumns, file name: String, today: LocalDate, _ conn: PostgresConnection,
        rejectsOut: inout RejectsFile
    ) async throws -> (ReadingsSummary, Set<Int64>) {
        var summary = ReadingsSummary()
        var vehicles = Set<Int64>()
        func reject(_ line: Int, _ errors: [(String, String, String)]) {
            summary.rejected += 1
            for (f, v, e) in errors {
                let reject = ImportReject(file: name, line: line, field: f, value: v, error: e, dealNumber: nil)
                if summary.rejects.count < ImportSummary.rejectListCap { summary.rejects.append(reject) }
                rejectsOut.append(reject)
            }
        }
        while true {
            do {
                guard try reader.nextRow() else { break }
            } catch let e as CSVError {
                // A broken row (an unclosed quote): refused alone, reading goes on with the next line.
                summary.read += 1
                reject(e.line, [("(row)", "", e.description)])
                continue
            }
            summary.read += 1
            var errors: [(String, String, String)] = []
            guard let fields = columns.fields(reader, today: today, errors: &errors),
                let (vehicle, source) = try await reading(fields, conn, errors: &errors)
            else {
                reject(reader.rowLine, errors)
                continue
            }
            let before = try await conn.one(
                Int.self,
                "SELECT miles FROM odometer_readings WHERE vehicle_id = \(vehicle) AND read_on = \(fields.day) AND source = \(source)",
                logger)
            if before == fields.miles {
                summary.unchanged += 1
                continue
            }
            try await conn.run(
                """
                INSERT INTO odometer_readings AS o (vehicle_id, read_on, miles, source) VALUES (\(vehicle), \(fields.day), \(fields.miles), \(source))
                ON CONFLICT (vehicle_id, read_on, source) DO UPDATE SET miles = excluded.miles
                """, logger)
            if before == nil { summary.inserted += 1 } else { summary.updated += 1 }
            vehicles.insert(vehicle)
        }
        return (summary, vehicles)
    }

    /// The vehicle a checked row reads, with its source; nil with what is wrong in `errors` (no deal with the VIN, or
    /// fewer miles than at the sale).
    private func reading(_ r: ReadingColumns.Fields, _ conn: PostgresConnection, errors: inout [(String, String, String)])
        async throws -> (vehicle: Int64, source: String)?
    {
        guard let known = try await PostgresStorage.vehicle(vin: r.vin, conn, logger: logger),
            let (id, saleMiles, delivered) = try await conn.query(
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
