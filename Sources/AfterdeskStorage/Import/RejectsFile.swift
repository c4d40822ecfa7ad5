import AfterdeskCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `<input>.rejects.csv`: every refused field, written to a temporary file and moved into place at the end.
public struct RejectsFile {
    public let path: String
    public let enabled: Bool
    private var handle: FileHandle?
    private var tempPath: String?
    private var count = 0

    public init(inputPath: String, enabled: Bool) {
        var base = inputPath
        for ext in [".csv", ".json", ".jsonl", ".ndjson", ".txt"] where base.lowercased().hasSuffix(ext) {
            base = String(base.dropLast(ext.count))
            break
        }
        path = base + ".rejects.csv"
        self.enabled = enabled
    }

    public mutating func append(_ r: ImportReject) {
        guard enabled else { return }
        if handle == nil {
            let tmp = path + ".tmp"
            // Readable by its owner alone (the refused rows hold customers' names and numbers), from its creation.
            try? FileManager.default.removeItem(atPath: tmp)
            let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return }
            let h = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            handle = h
            tempPath = tmp
            h.write(Data(CSVWriter.line(RejectsFile.columns).utf8))
        }
        let fields = [r.file, String(r.line), r.dealNumber ?? "", r.field, r.value, r.error, r.isWarning ? "warning" : "refused"]
        handle?.write(Data(CSVWriter.line(fields).utf8))
        count += 1
    }

    /// `kind` is `refused` (the row was not imported) or `warning` (it was, with an implausible value).
    public static let columns = ["file", "line", "deal_number", "field", "value", "error", "kind"]

    public mutating func finish(into summary: inout ImportSummary) {
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
