import AfterdeskCore
import Foundation

/// One decoded row, handed from the reading thread to the writing one.
public enum ImportItem: Sendable {
    case deal(PreparedDeal)
    /// A refused row: its store as written (nil when it has none or cannot be read), its errors, and the declined
    /// products it holds (for the capture rate).
    case reject(line: Int, dealNumber: String?, store: String? = nil, [RowError], declines: Int = 0)
}

/// A valid deal with everything the writer needs computed on the reading thread, which has time to
/// spare while the writer is busy in the database.
public struct PreparedDeal: Sendable {
    public let line: Int
    public let record: DealRecord
    public let fingerprint: Int64
    /// (store, deal number): duplicates within one import.
    public let dealKey: Int64
    public let customerKey: String
    public let customerHash: Int64
    public let vinHash: Int64
    public let consentSource: String
    /// Implausible values kept (see `Plausibility`): reported, not refused.
    public let warnings: [RowError]

    public init(line: Int, record: DealRecord, file: String, warnings: [RowError] = []) {
        self.line = line
        self.record = record
        self.warnings = warnings
        fingerprint = record.fingerprint
        var h = StableHasher()
        h.add(record.store)
        h.add(record.dealNumber)
        dealKey = h.signed
        customerKey = record.customerMatchKey
        customerHash = StableHash.of(customerKey)
        vinHash = StableHash.of(record.vin)
        consentSource = "import \(file) line \(line)"
    }
}

/// The rows of one deal file, read and validated one at a time: a CSV of any profile, or JSON deal objects. Each
/// backend pulls from it (SQLite on a reading thread of its own, `RowProducer`).
public final class RowReader {
    /// The next row, nil at the end; throws when the rest of the file cannot be read.
    public let next: () throws -> ImportItem?
    /// The bytes of the file read so far.
    public let bytes: () -> Int64
    /// The file's warnings, once it is read (fields a JSON file had that no deal has).
    public let warnings: () -> [String]

    public init(next: @escaping () throws -> ImportItem?, bytes: @escaping () -> Int64, warnings: @escaping () -> [String]) {
        self.next = next
        self.bytes = bytes
        self.warnings = warnings
    }

    /// CSV rows of any profile.
    public static func csv(reader: CSVReader<FileByteSource>, decoder: DealRowDecoder, file: String) -> RowReader {
        RowReader(
            next: {
                do {
                    guard try reader.nextRow() else { return nil }
                } catch let e as CSVError {
                    // A row the reader cannot read (an unclosed quote, a field over 64 KB) is refused alone; the reader
                    // goes on with the next line, so the rows after it still land.
                    return .reject(line: e.line, dealNumber: nil, [RowError(field: "(row)", value: "", message: e.description)])
                }
                return decode(decoder, reader, line: reader.rowLine, file: file)
            }, bytes: { reader.bytesConsumed }, warnings: { [] })
    }

    /// JSON deal objects; a malformed object is refused alone, a syntax error ends the file.
    public static func json(reader: JSONDealReader<FileByteSource>, decoder: DealRowDecoder, file: String) -> RowReader {
        RowReader(
            next: {
                do {
                    guard try reader.nextDeal() else { return nil }
                } catch let problem as JSONDealReader<FileByteSource>.Problem where !problem.isSyntax {
                    return .reject(
                        line: reader.rowLine, dealNumber: nil, [RowError(field: "(deal)", value: "", message: problem.description)])
                }
                return decode(decoder, reader.row, line: reader.rowLine, file: file)
            }, bytes: { reader.bytesConsumed },
            warnings: {
                reader.unknownKeys.isEmpty
                    ? [] : ["\(file): fields not imported (unknown): \(reader.unknownKeys.sorted().joined(separator: ", "))"]
            })
    }

    private static func decode<R: RowFields>(_ decoder: DealRowDecoder, _ row: R, line: Int, file: String) -> ImportItem {
        var errors: [RowError] = []
        var warnings: [RowError] = []
        if let record = decoder.decode(row, errors: &errors, warnings: &warnings) {
            return .deal(PreparedDeal(line: line, record: record, file: file, warnings: warnings))
        }
        let dn = decoder.layout.column(.dealNumber).map { String(decoding: row.field($0), as: UTF8.self) }
        let store = decoder.layout.column(.store).map {
            String(decoding: row.field($0), as: UTF8.self).trimmingCharacters(in: .whitespaces)
        }
        return .reject(
            line: line, dealNumber: dn, store: store.flatMap { $0.isEmpty ? nil : $0 }, errors, declines: decoder.declinedProducts(row))
    }
}
