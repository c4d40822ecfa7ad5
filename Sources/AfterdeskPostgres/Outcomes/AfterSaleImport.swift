import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

#if canImport(Glibc)
    import Glibc
#endif

extension PostgresStorage {
    /// Reads an after-sale file and hands each row to `apply`, which returns whether it inserted, updated or left a
    /// record as it was, or nil with the row's errors. Every row is in `read`; refused rows go to the summary, the
    /// rejects table and `<file>.rejects.csv`. The whole file is one transaction, under the import lock (one import at a
    /// time, as on SQLite).
    func importAfterSaleFile(
        _ file: String, profile: String, columns: [String: [String]], required: [String], writeRejectsFile: Bool,
        apply: (inout AfterSaleRow, PostgresConnection, _ stores: AfterSaleStores, _ run: Int64) async throws -> AfterSaleChange?
    ) async throws -> AfterSaleSummary {
        let name = (file as NSString).lastPathComponent
        let reader = CSVReader(source: try AfterSaleFileSource(path: file))
        let position = try AfterSaleLayout.positions(reader, file: file, columns: columns, required: required)
        var rejectsOut = AfterSaleRejectsFile(inputPath: file, enabled: writeRejectsFile)
        let (logger, clock) = (logger, clock)
        var summary = try await write { conn in
            try await conn.run("SELECT pg_advisory_xact_lock(hashtextextended('afterdesk:importing', 0))", logger)
            guard
                let run = try await conn.one(
                    Int64.self,
                    """
                    INSERT INTO import_runs (file, profile, started_at, status, pid)
                    VALUES (\(name), \(profile), \(clock.now().wholeSecond), 'running', \(Int(getpid()))) RETURNING id
                    """, logger)
            else { throw StoreError.integrity("no import run") }
            let stores = try await AfterSaleStores(conn, logger: logger)
            var summary = AfterSaleSummary()
            func reject(_ line: Int, _ errors: [(field: String, value: String, error: String)]) async throws {
                summary.rejected += 1
                for e in errors {
                    let r = ImportReject(file: name, line: line, field: e.field, value: e.value, error: e.error, dealNumber: nil)
                    if summary.rejects.count < ImportSummary.rejectListCap { summary.rejects.append(r) }
                    rejectsOut.append(r)
                    try await conn.run(
                        """
                        INSERT INTO rejects (import_run_id, file, line, field, value, error, severity)
                        VALUES (\(run), \(name), \(line), \(e.field), \(e.value), \(e.error), 'refused')
                        """, logger)
                }
            }
            while true {
                do {
                    guard try reader.nextRow() else { break }
                } catch let e as CSVError {
                    summary.read += 1
                    try await reject(e.line, [("(row)", "", e.description)])
                    continue
                }
                summary.read += 1
                var row = AfterSaleRow(cells: AfterSaleLayout.cells(reader, position))
                switch try await apply(&row, conn, stores, run) {
                case .inserted: summary.inserted += 1
                case .updated: summary.updated += 1
                case .unchanged: summary.unchanged += 1
                case nil: try await reject(reader.rowLine, row.errors.isEmpty ? [("(row)", "", "refused")] : row.errors)
                }
            }
            try await AfterSaleStores.finish(run, summary, conn, now: clock.now().wholeSecond, logger: logger)
            return summary
        }
        summary.rejectsFile = rejectsOut.finish()
        return summary
    }
}

/// The stores an after-sale row may name, read once per file.
struct AfterSaleStores {
    /// Marks the import run completed with its counts.
    static func finish(_ run: Int64, _ s: AfterSaleSummary, _ conn: PostgresConnection, now: Date, logger: Logger) async throws {
        try await conn.run(
            """
            UPDATE import_runs SET status = 'completed', finished_at = \(now), read_count = \(s.read), inserted = \(s.inserted),
                updated = \(s.updated), unchanged = \(s.unchanged), rejected = \(s.rejected) WHERE id = \(run)
            """, logger)
    }

    var all: [(id: Int64, code: String, zone: String)] = []

    init(_ conn: PostgresConnection, logger: Logger) async throws {
        for row in try await conn.rows("SELECT id, code, time_zone FROM stores ORDER BY id", logger) {
            let (id, code, zone) = try row.decode((Int64, String, String).self)
            all.append((id, code, zone))
        }
    }

    /// The store a row names, or the only store when it names none. With `allowed` (an import limited to some stores,
    /// as a store-limited user's is), a row naming another store is refused, and "the only store" is the only one of
    /// those.
    func of(_ row: inout AfterSaleRow, allowed: Set<String>?) throws -> (id: Int64, code: String, zone: TimeZone)? {
        let stores = allowed.map { allowed in all.filter { allowed.contains($0.code) } } ?? all
        let found: (id: Int64, code: String, zone: String)?
        if let code = row.text("store") {
            found = stores.first { $0.code.caseInsensitiveCompare(code) == .orderedSame }
            if found == nil {
                // Said the same whether the store exists or not: its existence is not the limited user's to learn.
                row.fail("store", allowed.map { DealRowDecoder.outsideStores(code, $0) } ?? "no such store")
            }
        } else if stores.count == 1 {
            found = stores.first
        } else {
            row.fail("store", stores.isEmpty ? "no deals imported yet" : "required: \(stores.count) stores hold deals")
            found = nil
        }
        return try found.map { ($0.id, $0.code, try PostgresLedger.zone(named: $0.zone)) }
    }
}

/// An after-sale file read with read(2), a chunk at a time: constant memory however large the file.
final class AfterSaleFileSource: ByteSource {
    private let fd: Int32

    init(path: String) throws {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError(.cannotOpen(path, String(cString: strerror(errno)))) }
        var st = stat()
        fstat(fd, &st)
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw StoreError(.cannotOpen(path, "is a directory"))
        }
    }

    deinit { close(fd) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw StoreError(.readFailed(String(cString: strerror(errno))))
        }
    }
}

/// `<input>.rejects.csv`: every refused field of an after-sale file, written to a temporary file readable by its owner
/// alone and moved into place at the end; a clean run removes an earlier run's.
struct AfterSaleRejectsFile {
    let path: String
    let enabled: Bool
    private var handle: FileHandle?

    init(inputPath: String, enabled: Bool) {
        var base = inputPath
        for ext in [".csv", ".json", ".jsonl", ".ndjson", ".txt"] where base.lowercased().hasSuffix(ext) {
            base = String(base.dropLast(ext.count))
            break
        }
        path = base + ".rejects.csv"
        self.enabled = enabled
    }

    mutating func append(_ r: ImportReject) {
        guard enabled else { return }
        if handle == nil {
            try? FileManager.default.removeItem(atPath: path + ".tmp")
            let fd = open(path + ".tmp", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return }
            handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            handle?.write(Data(CSVWriter.line(["file", "line", "deal_number", "field", "value", "error", "kind"]).utf8))
        }
        let fields = [r.file, String(r.line), r.dealNumber ?? "", r.field, r.value, r.error, r.isWarning ? "warning" : "refused"]
        handle?.write(Data(CSVWriter.line(fields).utf8))
    }

    /// The file's path once written; nil when no row was refused.
    mutating func finish() -> String? {
        guard let handle else {
            if enabled { try? FileManager.default.removeItem(atPath: path) }
            return nil
        }
        try? handle.close()
        self.handle = nil
        _ = try? FileManager.default.removeItem(atPath: path)
        return (try? FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)) != nil ? path : nil
    }
}
