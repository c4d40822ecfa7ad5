import AfterdeskCore
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// Thrown by the crash simulation of the tests; nothing after it runs, as after kill -9.
struct SimulatedCrash: Error {}

/// Why a whole file could not be imported (exit code 65 for the command).
public enum ImportFileError: Error, CustomStringConvertible, Sendable {
    case cannotOpen(String, String)
    case readFailed(String)
    case notText(String)
    case header(String, ImportLayout.HeaderError)
    case empty(String)
    case unknownProfile(String)

    public var description: String {
        switch self {
        case .cannotOpen(let f, let why): return "\(f): cannot open: \(why)"
        case .readFailed(let why): return "read failed: \(why)"
        case .notText(let f): return "\(f): not a CSV or JSON text file (a spreadsheet must be saved as CSV first)"
        case .header(let f, let e): return "\(f): line 1: \(e)"
        case .empty(let f): return "\(f): the file is empty"
        case .unknownProfile(let p): return "unknown profile '\(p)' (known: \(ImportProfile.all.map(\.name).joined(separator: ", ")))"
        }
    }
}

public struct ImportOptions: Sendable {
    public var profile: ImportProfile
    public var menu: Menu
    /// Store code for rows that have none.
    public var defaultStore: String
    /// Deals per transaction: a crash loses at most the batch in flight, which the next run redoes.
    public var batchSize: Int
    /// Write `<input>.rejects.csv` beside each input that has refused rows.
    public var writeRejectsFile: Bool
    /// Tests only: stop dead after this many committed batches, as a killed process would.
    var simulateCrashAfterBatches: Int?

    public init(profile: ImportProfile = .canonical, menu: Menu, defaultStore: String = "main",
                batchSize: Int = 5000, writeRejectsFile: Bool = true) {
        self.profile = profile; self.menu = menu; self.defaultStore = defaultStore
        self.batchSize = batchSize; self.writeRejectsFile = writeRejectsFile
    }
}

/// One refused row (or one of its fields), as INTERFACES.md's `import --json` shows it.
public struct ImportReject: Codable, Sendable, Equatable {
    public var file: String
    public var line: Int
    public var field: String
    public var value: String
    public var error: String
    public var dealNumber: String?

    enum CodingKeys: String, CodingKey { case file, line, field, value, error, dealNumber = "deal_number" }
}

/// What an import did. `inserted + updated + unchanged + rejected == read`.
public struct ImportSummary: Codable, Sendable, Equatable {
    public var read = 0
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    public var rejected = 0
    public var declines = 0
    /// The first refused fields (all of them are in the rejects CSV and the database).
    public var rejects: [ImportReject] = []
    /// Refused fields not listed in `rejects` because the list is capped.
    public var rejectsOmitted = 0
    public var recoveries = 0
    public var unwinds = 0
    public var warnings: [String] = []
    /// Files that could not be read at all, with why.
    public var failedFiles: [String] = []
    public var rejectsFiles: [String] = []

    public init() {}

    static let rejectListCap = 1000

    enum CodingKeys: String, CodingKey {
        case read, inserted, updated, unchanged, rejected, declines, rejects
        case rejectsOmitted = "rejects_omitted", recoveries, unwinds, warnings
        case failedFiles = "failed_files", rejectsFiles = "rejects_files"
    }
}

public struct ImportProgress: Sendable {
    public var file: String
    public var bytesRead: Int64
    public var bytesTotal: Int64
    public var rows: Int
}

extension AfterdeskDatabase {
    /// Imports deal files (CSV, or JSON by extension `.json`/`.jsonl`/`.ndjson`). Good rows land even
    /// when others are refused; importing the same file again changes nothing.
    public func importDeals(files: [String], options: ImportOptions,
                            progress: ((ImportProgress) -> Void)? = nil) throws -> ImportSummary {
        var summary = ImportSummary()
        var seen = Set<Int64>()   // (store, deal number) hashes already read in this command
        let importer = try DealImporter(database: self, options: options)
        for file in files {
            do {
                try importer.importFile(file, summary: &summary, seen: &seen, progress: progress)
            } catch let e as ImportFileError {
                summary.failedFiles.append(e.description)
            }
        }
        return summary
    }
}

/// Carries the state of one import command: caches of stores and staff, the clock, the options.
final class DealImporter {
    let database: AfterdeskDatabase
    let options: ImportOptions
    let today: LocalDate
    let nowText: String
    let storeZone: String
    private var storeIDs: [String: Int64] = [:]
    private var staffIDs: [String: (id: Int64, name: String?)] = [:]

    init(database: AfterdeskDatabase, options: ImportOptions) throws {
        self.database = database
        self.options = options
        let now = database.clock.now()
        let zone = TimeZone(identifier: options.menu.dealership.timeZone) ?? TimeZone(identifier: "UTC")!
        self.today = LocalDate(now, in: zone)
        self.nowText = Instant.iso8601(now)
        self.storeZone = options.menu.dealership.timeZone
    }

    func importFile(_ file: String, summary: inout ImportSummary, seen: inout Set<Int64>,
                    progress: ((ImportProgress) -> Void)?) throws {
        let source = try FileByteSource(path: file)
        let head = source.prefix(4096)
        if head.isEmpty { throw ImportFileError.empty(file) }
        if head.contains(0) || head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { throw ImportFileError.notText(file) }
        let name = (file as NSString).lastPathComponent
        let lower = file.lowercased()
        let isJSON = lower.hasSuffix(".json") || lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson")

        let runID = try startRun(file: file, profile: isJSON ? "json" : options.profile.name)
        var counts = RunCounts()
        var rejectsOut = RejectsFile(inputPath: file, enabled: options.writeRejectsFile)
        var batch = Batch()
        var batchesWritten = 0
        func flush() throws {
            guard !batch.isEmpty else { return }
            if let limit = options.simulateCrashAfterBatches, batchesWritten == limit { throw SimulatedCrash() }
            batchesWritten += 1
            let result = try write(batch, runID: runID, file: name)
            counts.add(result)
            summary.add(result)
            for r in batch.rejects {
                if summary.rejects.count < ImportSummary.rejectListCap { summary.rejects.append(r) } else { summary.rejectsOmitted += 1 }
                rejectsOut.append(r)
            }
            batch = Batch()
        }
        var lastProgress = 0
        func report(_ bytes: Int64, rows: Int) {
            guard let progress, rows - lastProgress >= 20_000 || rows == 0 else { return }
            lastProgress = rows
            progress(ImportProgress(file: name, bytesRead: bytes, bytesTotal: source.size, rows: rows))
        }

        do {
            if isJSON {
                let reader = JSONDealReader(source: source, menu: options.menu)
                let layout = try ImportLayout(header: reader.header, profile: .canonical, menu: options.menu)
                let decoder = DealRowDecoder(layout: layout, menu: options.menu, today: today, defaultStore: options.defaultStore)
                while true {
                    let more: Bool
                    do { more = try reader.nextDeal() } catch let p {
                        if p.isSyntax { throw p }
                        counts.read += 1
                        batch.reject(file: name, line: reader.rowLine, dealNumber: nil, [RowError(field: "(deal)", value: "", message: p.description)])
                        continue
                    }
                    guard more else { break }
                    counts.read += 1
                    take(decoder: decoder, row: reader.row, line: reader.rowLine, file: name, batch: &batch, seen: &seen)
                    if batch.count >= options.batchSize { try flush() }
                    report(reader.bytesConsumed, rows: counts.read)
                }
                if !reader.unknownKeys.isEmpty {
                    summary.warnings.append("\(name): fields not imported (unknown): \(reader.unknownKeys.sorted().joined(separator: ", "))")
                }
            } else {
                let reader = CSVReader(source: source)
                guard try reader.nextRow() else { throw ImportFileError.empty(file) }
                let header = (0..<reader.fieldCount).map { reader.string($0) }
                let layout: ImportLayout
                do { layout = try ImportLayout(header: header, profile: options.profile, menu: options.menu) } catch {
                    throw ImportFileError.header(file, error)
                }
                if !layout.unknownColumns.isEmpty {
                    summary.warnings.append("\(name): columns not imported (unknown to the \(options.profile.name) profile): \(layout.unknownColumns.joined(separator: ", "))")
                }
                let decoder = DealRowDecoder(layout: layout, menu: options.menu, today: today, defaultStore: options.defaultStore)
                report(0, rows: 0)
                while try reader.nextRow() {
                    counts.read += 1
                    take(decoder: decoder, row: reader, line: reader.rowLine, file: name, batch: &batch, seen: &seen)
                    if batch.count >= options.batchSize { try flush() }
                    report(reader.bytesConsumed, rows: counts.read)
                }
            }
            try flush()
        } catch let e as ImportFileError {
            try finishRun(runID, counts: counts, status: "failed", error: e.description)
            throw e
        } catch let e as CSVError {
            // The rest of the file cannot be read: keep what landed, report where it stopped.
            try flush()
            let line: Int
            switch e { case .unterminatedQuote(let l), .notText(let l), .rowTooLong(let l, _), .tooManyFields(let l, _): line = l }
            summary.read += counts.read
            summary.failedFiles.append("\(name): line \(line): \(e); rows before it were imported")
            try finishRun(runID, counts: counts, status: "failed", error: e.description)
            rejectsOut.finish(into: &summary)
            return
        } catch let e as JSONDealReader<FileByteSource>.Problem {
            try flush()
            summary.read += counts.read
            summary.failedFiles.append("\(name): \(e); deals before it were imported")
            try finishRun(runID, counts: counts, status: "failed", error: e.description)
            rejectsOut.finish(into: &summary)
            return
        }
        summary.read += counts.read
        try finishRun(runID, counts: counts, status: "completed", error: nil)
        rejectsOut.finish(into: &summary)
        progress?(ImportProgress(file: name, bytesRead: source.size, bytesTotal: source.size, rows: counts.read))
    }

    private func take<R: RowFields>(decoder: DealRowDecoder, row: R, line: Int, file: String,
                                    batch: inout Batch, seen: inout Set<Int64>) {
        var errors: [RowError] = []
        if let record = decoder.decode(row, errors: &errors) {
            var h = Hasher64()
            h.add(record.store); h.add(record.dealNumber)
            if !seen.insert(h.value).inserted {
                batch.reject(file: file, line: line, dealNumber: record.dealNumber, [RowError(
                    field: decoder.layout.columnName(.dealNumber), value: record.dealNumber,
                    message: "deal \(record.dealNumber) of store \(record.store) appears earlier in this import; only the first is kept")])
                return
            }
            batch.records.append((line, record))
        } else {
            let dn = decoder.layout.column(.dealNumber).map { String(decoding: row.field($0), as: UTF8.self) }
            batch.reject(file: file, line: line, dealNumber: dn, errors)
        }
    }

    // MARK: Runs

    private func startRun(file: String, profile: String) throws -> Int64 {
        try database.writer.write { db in
            // Runs left 'running' by a process that no longer exists were interrupted (kill -9, power).
            let stale = try Row.fetchAll(db, sql: "SELECT id, pid FROM import_runs WHERE status = 'running'")
            for r in stale {
                let pid: Int32 = r["pid"]
                if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                    try db.execute(sql: "UPDATE import_runs SET status = 'interrupted' WHERE id = ?", arguments: [r["id"] as Int64])
                }
            }
            try db.execute(sql: """
                INSERT INTO import_runs (file, profile, started_at, status, pid) VALUES (?, ?, ?, 'running', ?)
                """, arguments: [file, profile, nowText, Int(getpid())])
            return db.lastInsertedRowID
        }
    }

    private func finishRun(_ id: Int64, counts: RunCounts, status: String, error: String?) throws {
        try database.writer.write { db in
            try db.execute(sql: """
                UPDATE import_runs SET status = ?, finished_at = ?, read_count = ?, error = ? WHERE id = ?
                """, arguments: [status, Instant.iso8601(database.clock.now()), counts.read, error, id])
        }
    }

    // MARK: Writing a batch

    struct Batch {
        var records: [(line: Int, record: DealRecord)] = []
        var rejects: [ImportReject] = []
        var rejectedRows = 0
        var count: Int { records.count + rejectedRows }
        var isEmpty: Bool { count == 0 }

        mutating func reject(file: String, line: Int, dealNumber: String?, _ errors: [RowError]) {
            rejectedRows += 1
            for e in errors {
                rejects.append(ImportReject(file: file, line: line, field: e.field, value: e.value, error: e.message,
                                            dealNumber: dealNumber.flatMap { $0.isEmpty ? nil : $0 }))
            }
        }
    }

    struct RunCounts {
        var read = 0, inserted = 0, updated = 0, unchanged = 0, rejected = 0, declines = 0, recoveries = 0, unwinds = 0
        mutating func add(_ o: RunCounts) {
            inserted += o.inserted; updated += o.updated; unchanged += o.unchanged; rejected += o.rejected
            declines += o.declines; recoveries += o.recoveries; unwinds += o.unwinds
        }
    }

    /// Writes one batch in one transaction, with the run's counters, so a crash leaves either
    /// the whole batch or none of it.
    private func write(_ batch: Batch, runID: Int64, file: String) throws -> RunCounts {
        try database.writer.write { db in
            if let c = ProcessInfo.processInfo.environment["AD_CACHE"] { try db.execute(sql: "PRAGMA cache_size = -\(c)") }
            var w = try BatchWriter(db: db, importer: self, runID: runID, file: file)
            var c = RunCounts()
            for (line, record) in batch.records { try w.apply(record, line: line, counts: &c) }
            for r in batch.rejects { try w.insertReject(r) }
            c.rejected = batch.rejectedRows
            try db.execute(sql: """
                UPDATE import_runs SET inserted = inserted + ?, updated = updated + ?, unchanged = unchanged + ?,
                    rejected = rejected + ?, declines = declines + ? WHERE id = ?
                """, arguments: [c.inserted, c.updated, c.unchanged, c.rejected, c.declines, runID])
            return c
        }
    }

    func storeID(_ db: Database, _ code: String) throws -> Int64 {
        if let id = storeIDs[code] { return id }
        try db.execute(sql: """
            INSERT INTO stores (code, name, time_zone, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(code) DO NOTHING
            """, arguments: [code, code == "main" ? options.menu.dealership.name : code, storeZone, nowText])
        let id = try Int64.fetchOne(db, sql: "SELECT id FROM stores WHERE code = ?", arguments: [code])!
        storeIDs[code] = id
        return id
    }

    func staffID(_ db: Database, store: Int64, _ ref: StaffRef?, role: String) throws -> Int64? {
        guard let ref else { return nil }
        let key = "\(store)|\(ref.id)"
        if let s = staffIDs[key], s.name == ref.name || ref.name == nil { return s.id }
        let id = try Int64.fetchOne(db, sql: """
            INSERT INTO staff (store_id, staff_code, name, role, created_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(store_id, staff_code) DO UPDATE SET name = COALESCE(excluded.name, name)
            RETURNING id
            """, arguments: [store, ref.id, ref.name, role, nowText])!
        staffIDs[key] = (id, ref.name)
        return id
    }
}

/// The statements of one batch transaction, prepared once and bound per deal.
struct BatchWriter {
    let db: Database
    let importer: DealImporter
    let runID: Int64
    let file: String
    let findDeal: RawStatement
    let upsertCustomer: RawStatement
    let findCustomer: RawStatement
    let upsertVehicle: RawStatement
    let insertDeal: RawStatement
    let updateDeal: RawStatement
    let insertProduct: RawStatement
    let selectProducts: RawStatement
    let deleteProducts: RawStatement
    let insertEvent: RawStatement
    let insertRejectStatement: RawStatement

    static let dealColumns = """
        customer_id, vehicle_id, status, contract_date, delivery_date, deal_type, buyer_first_name, buyer_last_name,
        buyer_email, buyer_phone, buyer_state, buyer_zip, customer_number, consent_sms, consent_email, consent_phone,
        vehicle_condition, odometer, selling_price_cents, vehicle_value_cents, amount_financed_cents, apr_milli,
        term_months, first_payment_date, lender, salesperson_id, fi_manager_id, fingerprint, import_run_id, updated_at
        """

    init(db: Database, importer: DealImporter, runID: Int64, file: String) throws {
        self.db = db; self.importer = importer; self.runID = runID; self.file = file
        findDeal = try RawStatement(db, "SELECT id, fingerprint, status FROM deals WHERE store_id = ?1 AND deal_number = ?2")
        upsertCustomer = try RawStatement(db, """
            INSERT INTO customers (store_id, match_key, first_name, last_name, email, phone, state, zip, customer_number,
                consent_sms, consent_sms_source, consent_sms_at, consent_email, consent_email_source, consent_email_at,
                consent_phone, consent_phone_source, consent_phone_at, last_deal_on, created_at, updated_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?13, ?14, ?11, ?13, ?14, ?12, ?13, ?14, ?15, ?14, ?14)
            ON CONFLICT(store_id, match_key) DO UPDATE SET
                first_name = excluded.first_name, last_name = excluded.last_name, email = excluded.email,
                phone = excluded.phone, state = excluded.state, zip = excluded.zip,
                customer_number = COALESCE(excluded.customer_number, customer_number),
                consent_sms_source = CASE WHEN consent_sms = excluded.consent_sms THEN consent_sms_source ELSE excluded.consent_sms_source END,
                consent_sms_at = CASE WHEN consent_sms = excluded.consent_sms THEN consent_sms_at ELSE excluded.consent_sms_at END,
                consent_sms = excluded.consent_sms,
                consent_email_source = CASE WHEN consent_email = excluded.consent_email THEN consent_email_source ELSE excluded.consent_email_source END,
                consent_email_at = CASE WHEN consent_email = excluded.consent_email THEN consent_email_at ELSE excluded.consent_email_at END,
                consent_email = excluded.consent_email,
                consent_phone_source = CASE WHEN consent_phone = excluded.consent_phone THEN consent_phone_source ELSE excluded.consent_phone_source END,
                consent_phone_at = CASE WHEN consent_phone = excluded.consent_phone THEN consent_phone_at ELSE excluded.consent_phone_at END,
                consent_phone = excluded.consent_phone,
                last_deal_on = excluded.last_deal_on, updated_at = excluded.updated_at
            WHERE excluded.last_deal_on >= customers.last_deal_on
            RETURNING id
            """)
        findCustomer = try RawStatement(db, "SELECT id FROM customers WHERE store_id = ?1 AND match_key = ?2")
        upsertVehicle = try RawStatement(db, """
            INSERT INTO vehicles (vin, year, make, model, in_service_date, in_service_estimated) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT(vin) DO UPDATE SET year = excluded.year, make = excluded.make, model = excluded.model,
                in_service_date = CASE WHEN excluded.in_service_estimated AND NOT in_service_estimated
                                       THEN in_service_date ELSE excluded.in_service_date END,
                in_service_estimated = excluded.in_service_estimated AND in_service_estimated
            RETURNING id
            """)
        let placeholders = (3...32).map { "?\($0)" }.joined(separator: ", ")
        insertDeal = try RawStatement(db, """
            INSERT INTO deals (store_id, deal_number, \(BatchWriter.dealColumns), created_at)
            VALUES (?1, ?2, \(placeholders), ?32)
            """)
        let assignments = BatchWriter.dealColumns.split(separator: ",").enumerated()
            .map { "\($0.element.trimmingCharacters(in: .whitespacesAndNewlines)) = ?\($0.offset + 3)" }.joined(separator: ", ")
        updateDeal = try RawStatement(db, "UPDATE deals SET \(assignments) WHERE id = ?1")
        insertProduct = try RawStatement(db, """
            INSERT INTO deal_products (deal_id, product_code, outcome, price_cents, cost_cents, reason, presumed)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """)
        selectProducts = try RawStatement(db, "SELECT product_code, outcome, price_cents, cost_cents FROM deal_products WHERE deal_id = ?1")
        deleteProducts = try RawStatement(db, "DELETE FROM deal_products WHERE deal_id = ?1")
        insertEvent = try RawStatement(db, """
            INSERT INTO events (deal_id, product_code, kind, occurred_on, recorded_at, price_cents, cost_cents, source, detail)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            """)
        insertRejectStatement = try RawStatement(db, """
            INSERT INTO rejects (import_run_id, file, line, deal_number, field, value, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """)
    }

    mutating func apply(_ r: DealRecord, line: Int, counts: inout DealImporter.RunCounts) throws {
        let store = try importer.storeID(db, r.store)
        let fingerprint = r.fingerprint
        findDeal.bind(1, store); findDeal.bind(2, r.dealNumber)
        var existing: (id: Int64, fingerprint: Int64, status: String)?
        if try findDeal.step() {
            existing = (findDeal.int64(0), findDeal.int64(1), findDeal.text(2) ?? "")
        }
        findDeal.reset()
        if let e = existing, e.fingerprint == fingerprint {
            counts.unchanged += 1
            return
        }
        let customer = try customerID(r, store: store, line: line)
        let vehicle = try vehicleID(r)
        let sales = try importer.staffID(db, store: store, r.salesperson, role: "sales")
        let fi = try importer.staffID(db, store: store, r.fiManager, role: "fi")
        let declines = r.declinedCount
        if let e = existing {
            let before = try storedProducts(e.id)
            bindDeal(updateDeal, r, store: store, customer: customer, vehicle: vehicle, sales: sales, fi: fi, fingerprint: fingerprint)
            updateDeal.bind(1, e.id)
            try updateDeal.run()
            deleteProducts.bind(1, e.id)
            try deleteProducts.run()
            try insertProducts(r, deal: e.id)
            try recordEvents(deal: e.id, oldStatus: e.status, before: before, after: r, counts: &counts)
            counts.updated += 1
        } else {
            bindDeal(insertDeal, r, store: store, customer: customer, vehicle: vehicle, sales: sales, fi: fi, fingerprint: fingerprint)
            insertDeal.bind(1, store); insertDeal.bind(2, r.dealNumber); insertDeal.bind(32, importer.nowText)
            try insertDeal.run()
            let id = db.lastInsertedRowID
            try insertProducts(r, deal: id)
            if r.status == .unwound {
                try event(deal: id, product: nil, kind: "unwound", price: nil, cost: nil, detail: "first imported as unwound")
                counts.unwinds += 1
            }
            counts.inserted += 1
        }
        counts.declines += declines
    }

    private func customerID(_ r: DealRecord, store: Int64, line: Int) throws -> Int64 {
        let s = upsertCustomer
        let key = r.customerMatchKey
        s.bind(1, store); s.bind(2, key); s.bind(3, r.buyerFirstName); s.bind(4, r.buyerLastName)
        s.bind(5, r.buyerEmail); s.bind(6, r.buyerPhone); s.bind(7, r.buyerState); s.bind(8, r.buyerZip)
        s.bind(9, r.customerNumber); s.bind(10, r.consent.sms); s.bind(11, r.consent.email); s.bind(12, r.consent.phone)
        s.bind(13, "import \(file) line \(line) (deal \(r.dealNumber))"); s.bind(14, importer.nowText); s.bind(15, r.contractDate)
        defer { s.reset() }
        if try s.step() { return s.int64(0) }
        // The stored customer has facts from a newer deal: keep them, link this deal to it.
        findCustomer.bind(1, store); findCustomer.bind(2, key)
        defer { findCustomer.reset() }
        guard try findCustomer.step() else { throw DatabaseError(message: "customer \(key) vanished during import") }
        return findCustomer.int64(0)
    }

    private func vehicleID(_ r: DealRecord) throws -> Int64 {
        let s = upsertVehicle
        s.bind(1, r.vin); s.bind(2, r.vehicleYear); s.bind(3, r.vehicleMake); s.bind(4, r.vehicleModel)
        s.bind(5, r.inServiceDate); s.bind(6, r.inServiceEstimated)
        defer { s.reset() }
        guard try s.step() else { throw DatabaseError(message: "vehicle upsert returned no id") }
        return s.int64(0)
    }

    private func bindDeal(_ s: RawStatement, _ r: DealRecord, store: Int64, customer: Int64, vehicle: Int64,
                          sales: Int64?, fi: Int64?, fingerprint: Int64) {
        s.bind(3, customer); s.bind(4, vehicle); s.bind(5, r.status.rawValue); s.bind(6, r.contractDate)
        s.bind(7, r.deliveryDate); s.bind(8, r.dealType.rawValue); s.bind(9, r.buyerFirstName); s.bind(10, r.buyerLastName)
        s.bind(11, r.buyerEmail); s.bind(12, r.buyerPhone); s.bind(13, r.buyerState); s.bind(14, r.buyerZip)
        s.bind(15, r.customerNumber); s.bind(16, r.consent.sms); s.bind(17, r.consent.email); s.bind(18, r.consent.phone)
        s.bind(19, r.vehicleCondition.rawValue); s.bind(20, r.odometer); s.bind(21, r.sellingPrice.cents)
        s.bind(22, r.vehicleValue.cents); s.bind(23, r.amountFinanced?.cents); s.bind(24, r.apr?.thousandthsOfPercent)
        s.bind(25, r.termMonths); s.bind(26, r.firstPaymentDate); s.bind(27, r.lender); s.bind(28, sales); s.bind(29, fi)
        s.bind(30, fingerprint); s.bind(31, runID); s.bind(32, importer.nowText)
    }

    private func insertProducts(_ r: DealRecord, deal: Int64) throws {
        let s = insertProduct
        for p in r.products {
            s.bind(1, deal); s.bind(2, p.code); s.bind(3, p.outcome.rawValue); s.bind(4, p.price?.cents)
            s.bind(5, p.cost?.cents); s.bind(6, p.reason); s.bind(7, p.presumed)
            try s.run()
        }
    }

    private func storedProducts(_ deal: Int64) throws -> [String: (outcome: String, price: Int64?, cost: Int64?)] {
        let s = selectProducts
        s.bind(1, deal)
        defer { s.reset() }
        var out: [String: (outcome: String, price: Int64?, cost: Int64?)] = [:]
        while try s.step() {
            out[s.text(0) ?? ""] = (s.text(1) ?? "", s.isNull(2) ? nil : s.int64(2), s.isNull(3) ? nil : s.int64(3))
        }
        return out
    }

    /// A product turning from declined to sold is a recovery; from sold to not sold a cancellation;
    /// the deal turning unwound (or back) is recorded too.
    private mutating func recordEvents(deal: Int64, oldStatus: String, before: [String: (outcome: String, price: Int64?, cost: Int64?)],
                                       after r: DealRecord, counts: inout DealImporter.RunCounts) throws {
        if oldStatus != r.status.rawValue {
            if r.status == .unwound {
                try event(deal: deal, product: nil, kind: "unwound", price: nil, cost: nil, detail: nil)
                counts.unwinds += 1
            } else {
                try event(deal: deal, product: nil, kind: "reinstated", price: nil, cost: nil, detail: "status back to finalized")
            }
        }
        for p in importer.options.menu.products {
            let old = before[p.code]
            let new = r.product(p.code)
            if old?.outcome == "declined", let new, new.outcome == .sold {
                try event(deal: deal, product: p.code, kind: "recovered", price: new.price?.cents, cost: new.cost?.cents,
                          detail: "declined at the desk, now sold")
                counts.recoveries += 1
            } else if old?.outcome == "sold", new?.outcome != .sold {
                try event(deal: deal, product: p.code, kind: "cancelled", price: old?.price, cost: old?.cost,
                          detail: "sold before, now \(new?.outcome.rawValue ?? "not on the deal")")
            }
        }
    }

    private func event(deal: Int64, product: String?, kind: String, price: Int64?, cost: Int64?, detail: String?) throws {
        let s = insertEvent
        s.bind(1, deal); s.bind(2, product); s.bind(3, kind); s.bind(4, importer.today); s.bind(5, importer.nowText)
        s.bind(6, price); s.bind(7, cost); s.bind(8, "import:\(runID)"); s.bind(9, detail)
        try s.run()
    }

    func insertReject(_ r: ImportReject) throws {
        let s = insertRejectStatement
        s.bind(1, runID); s.bind(2, r.file); s.bind(3, r.line); s.bind(4, r.dealNumber); s.bind(5, r.field)
        s.bind(6, r.value); s.bind(7, r.error)
        try s.run()
    }
}

extension ImportSummary {
    mutating func add(_ c: DealImporter.RunCounts) {
        inserted += c.inserted; updated += c.updated; unchanged += c.unchanged; rejected += c.rejected
        declines += c.declines; recoveries += c.recoveries; unwinds += c.unwinds
    }
}

/// FNV-1a, for the in-memory set of deal keys seen in one import (8 bytes a deal).
struct Hasher64 {
    private(set) var value: Int64 = Int64(bitPattern: 0xcbf2_9ce4_8422_2325)
    mutating func add(_ s: String) {
        var v = UInt64(bitPattern: value)
        for b in s.utf8 { v = (v ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        v = (v ^ 0x1f) &* 0x0000_0100_0000_01b3
        value = Int64(bitPattern: v)
    }
}

/// `<input>.rejects.csv`: every refused field, written to a temporary file and moved into place at the end.
struct RejectsFile {
    let path: String
    let enabled: Bool
    private var handle: FileHandle?
    private var tempPath: String?
    private var count = 0

    init(inputPath: String, enabled: Bool) {
        var base = inputPath
        for ext in [".csv", ".json", ".jsonl", ".ndjson", ".txt"] where base.lowercased().hasSuffix(ext) {
            base = String(base.dropLast(ext.count)); break
        }
        path = base + ".rejects.csv"
        self.enabled = enabled
    }

    mutating func append(_ r: ImportReject) {
        guard enabled else { return }
        if handle == nil {
            let tmp = path + ".tmp"
            guard FileManager.default.createFile(atPath: tmp, contents: nil), let h = FileHandle(forWritingAtPath: tmp) else { return }
            handle = h
            tempPath = tmp
            h.write(Data("file,line,deal_number,field,value,error\n".utf8))
        }
        let fields = [r.file, String(r.line), r.dealNumber ?? "", r.field, r.value, r.error]
        handle?.write(Data((fields.map(RejectsFile.quote).joined(separator: ",") + "\n").utf8))
        count += 1
    }

    static func quote(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    mutating func finish(into summary: inout ImportSummary) {
        guard let handle, let tempPath else {
            // A clean run removes the rejects file of an earlier, dirtier run of the same input.
            if enabled { try? FileManager.default.removeItem(atPath: path) }
            return
        }
        try? handle.close()
        _ = try? FileManager.default.removeItem(atPath: path)
        if (try? FileManager.default.moveItem(atPath: tempPath, toPath: path)) != nil { summary.rejectsFiles.append(path) }
        self.handle = nil
    }
}
