import AfterdeskCore
import Foundation

/// A deal file opened for import, before its run is recorded: its bytes, its name as rejects and messages give it, the
/// profile its run records, and how its rows are read. A file refused as a whole before any run (missing, empty,
/// binary, JSON nested too deep or with fields no layout takes) throws from `open`; a CSV whose header cannot be read
/// throws from `rows()`, after its run is recorded, so the run is closed as failed.
public struct DealFile {
    public let source: FileByteSource
    public let name: String
    /// `json`, or the CSV profile's name.
    public let profile: String
    /// The header read and the rows' reader made; with the warning of columns the profile does not know, if any.
    public let rows: () throws -> (reader: RowReader, warning: String?)

    /// Opens `file`, telling CSV from JSON by its extension; `today` is the import's calendar date (rows are checked
    /// against it).
    public static func open(_ file: String, options: ImportOptions, today: LocalDate) throws -> DealFile {
        let source = try FileByteSource(path: file)
        let head = source.prefix(4096)
        if head.isEmpty { throw StoreError(.empty(file)) }
        if head.contains(0) || head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { throw StoreError(.notText(file)) }
        let name = (file as NSString).lastPathComponent
        func decoder(_ layout: ImportLayout) -> DealRowDecoder {
            DealRowDecoder(
                layout: layout, menu: options.menu, today: today, defaultStore: options.defaultStore,
                allowedStores: options.allowedStores)
        }
        let lower = file.lowercased()
        if lower.hasSuffix(".json") || lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") {
            // Refused whole before anything lands: a reader cannot resume past broken nesting.
            var scan = try FileByteSource(path: file)
            if let line = try JSONNesting.firstTooDeep(&scan) { throw StoreError(.nestedTooDeep(file, line: line)) }
            let reader = JSONDealReader(source: source, menu: options.menu)
            let layout = try ImportLayout(header: reader.header, profile: .canonical, menu: options.menu)
            let rows = RowReader.json(reader: reader, decoder: decoder(layout), file: name)
            return DealFile(source: source, name: name, profile: "json", rows: { (rows, nil) })
        }
        return DealFile(source: source, name: name, profile: options.profile.name) {
            let reader = CSVReader(source: source)
            let hasHeader: Bool
            do { hasHeader = try reader.nextRow() } catch let e as CSVError { throw StoreError(.unreadableHeader(file, e)) }
            guard hasHeader else { throw StoreError(.empty(file)) }
            let header = (0..<reader.fieldCount).map { reader.string($0) }
            let layout: ImportLayout
            do { layout = try ImportLayout(header: header, profile: options.profile, menu: options.menu) } catch let e
                as ImportLayout.HeaderError
            {
                throw StoreError(.header(file, e))
            }
            let warning =
                layout.unknownColumns.isEmpty
                ? nil
                : "\(name): columns not imported (unknown to the \(options.profile.name) profile): "
                    + layout.unknownColumns.joined(separator: ", ")
            return (RowReader.csv(reader: reader, decoder: decoder(layout), file: name), warning)
        }
    }

    /// What a file's run records when the rest of it could not be read after `failure` (the rows before it landed).
    public static func failureMessage(_ name: String, _ failure: any Error) -> String {
        switch failure {
        case let e as CSVError: "\(name): \(e); rows before it were imported"
        case let e as JSONDealReader<FileByteSource>.Problem: "\(name): \(e); deals before it were imported"
        default: "\(name): \(failure)"
        }
    }
}
