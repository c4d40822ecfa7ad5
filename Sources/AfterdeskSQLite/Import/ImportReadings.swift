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
        let name = (file as NSString).lastPathComponent
        let (reader, columns) = try ReadingColumns.open(file)
        let zone: TimeZone
        do { zone = try TimeZone.store(dealershipTimeZone) } catch { throw StoreError("the menu's \(error)") }
        let today = LocalDate(clock.now(), in: zone)

        var summary = ReadingsSummary()
        var rejectsOut = RejectsFile(inputPath: file, enabled: writeRejectsFile)
        var vehicles = Set<Int64>()
        try writer.write { db in
            try Migrations.restoreKeyIndexes(db)  // after a bulk import that was killed
            let statements = try ReadingStatements(db)
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
                guard let reading = try columns.reading(reader, today: today, statements: statements, errors: &errors) else {
                    reject(reader.rowLine, errors)
                    continue
                }
                let (vehicle, date, miles, readSource) = reading
                let before = try Int.fetchOne(statements.existing, arguments: [vehicle, date.description, readSource])
                if before == miles {
                    summary.unchanged += 1
                    continue
                }
                try statements.upsert.execute(arguments: [vehicle, date.description, miles, readSource])
                if before == nil { summary.inserted += 1 } else { summary.updated += 1 }
                vehicles.insert(vehicle)
            }
        }
        var finished = ImportSummary()
        rejectsOut.finish(into: &finished)
        summary.rejectsFile = finished.rejectsFiles.first
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

/// Where a readings file keeps its values, by the column names service systems use.
struct ReadingColumns {
    let vin: Int?, date: Int?, miles: Int?, source: Int?

    /// A reader of the file past its header, and where the header puts each value.
    static func open(_ file: String) throws -> (CSVReader<FileByteSource>, ReadingColumns) {
        let reader = CSVReader(source: try FileByteSource(path: file))
        let hasHeader: Bool
        do { hasHeader = try reader.nextRow() } catch let e as CSVError { throw StoreError(.unreadableHeader(file, e)) }
        guard hasHeader else { throw StoreError(.empty(file)) }
        return (reader, try ReadingColumns(header: (0..<reader.fieldCount).map { reader.string($0) }, file: file))
    }

    init(header raw: [String], file: String) throws {
        let header = raw.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func column(_ names: [String]) -> Int? { names.lazy.compactMap { header.firstIndex(of: $0) }.first }
        vin = column(["vin"])
        date = column(["date", "read_on", "service_date", "ro_date"])
        miles = column(["odometer", "miles", "mileage"])
        source = column(["source"])
        let missing = [("vin", vin), ("date", date), ("odometer", miles)].filter { $0.1 == nil }.map(\.0)
        if !missing.isEmpty { throw StoreError(.header(file, .missingColumns(missing))) }
    }

    /// The current row's reading (vehicle id, date, miles, source), or nil with what is wrong in `errors`
    /// (field, value, message).
    func reading(
        _ reader: CSVReader<FileByteSource>, today: LocalDate, statements: ReadingStatements,
        errors: inout [(String, String, String)]
    ) throws -> (vehicle: Int64, date: LocalDate, miles: Int, source: String)? {
        func field(_ c: Int?) -> String { c.map { reader.string($0).trimmingCharacters(in: .whitespaces) } ?? "" }
        let vinText = field(vin)
        let dateText = field(date)
        let milesText = field(miles)
        let readSource = source.map { field($0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "service"
        var validVIN: String?
        switch VIN.validate(vinText) {
        case .success(let v): validVIN = v
        case .failure(let p): errors.append(("vin", vinText, p.description))
        }
        let day = LocalDate(dateText)
        if let day {
            if day > today { errors.append(("date", dateText, "reading date is after today (\(today))")) }
        } else {
            errors.append(("date", dateText, "not a date (expected YYYY-MM-DD or MM/DD/YYYY)"))
        }
        let read = Int(milesText.replacingOccurrences(of: ",", with: "")).flatMap { (0...999_999).contains($0) ? $0 : nil }
        if read == nil { errors.append(("odometer", milesText, "not a whole number of miles (0–999,999)")) }
        guard errors.isEmpty, let validVIN, let day, let read else { return nil }
        guard let known = try KeyedTable.walk(validVIN, scope: 0, at: statements.vehicleAt).id,
            let row = try Row.fetchOne(statements.findVehicle, arguments: [known])
        else {
            errors.append(("vin", vinText, "no deal with this VIN"))
            return nil
        }
        let saleMiles: Int? = row["sale_miles"]
        let delivered = (row["delivered"] as String?).flatMap(LocalDate.init)
        if let saleMiles, let delivered, day >= delivered && read < saleMiles {
            errors.append(("odometer", milesText, "lower than the \(saleMiles) miles at sale on \(delivered)"))
            return nil
        }
        return (row["id"], day, read, readSource)
    }
}
