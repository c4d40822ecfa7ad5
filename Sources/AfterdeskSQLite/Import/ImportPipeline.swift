import AfterdeskCore
import AfterdeskStorage
import Foundation

/// One decoded row, handed from the reading thread to the writing one.
enum ImportItem: Sendable {
    case deal(PreparedDeal)
    /// A refused row: its store as written (nil when it has none or cannot be read), its errors, and the declined
    /// products it holds (for the capture rate).
    case reject(line: Int, dealNumber: String?, store: String? = nil, [RowError], declines: Int = 0)
}

/// A valid deal with everything the writer needs computed on the reading thread, which has time to
/// spare while the writer is busy in SQLite.
struct PreparedDeal: Sendable {
    let line: Int
    let record: DealRecord
    let fingerprint: Int64
    /// (store, deal number): duplicates within one import.
    let dealKey: Int64
    let customerKey: String
    let customerHash: Int64
    let vinHash: Int64
    let consentSource: String
    /// Implausible values kept (see `Plausibility`): reported, not refused.
    let warnings: [RowError]

    init(line: Int, record: DealRecord, file: String, warnings: [RowError] = []) {
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

enum ProducerMessage: Sendable {
    case items([ImportItem], bytesRead: Int64)
    case end(warnings: [String])
    case failed(any Error)
}

/// Reads and validates rows on its own thread, so parsing overlaps SQLite's work on the other core.
final class RowProducer: @unchecked Sendable {
    // @unchecked: `next`, `bytes` and `warnings` capture the file's reader and decoder, which only the
    // producer thread touches once `start` is called; the creating thread hands them over and never uses them again.
    private let next: () throws -> ImportItem?
    private let bytes: () -> Int64
    private let warnings: () -> [String]
    private let done = DispatchSemaphore(value: 0)

    init(next: @escaping () throws -> ImportItem?, bytes: @escaping () -> Int64, warnings: @escaping () -> [String]) {
        self.next = next
        self.bytes = bytes
        self.warnings = warnings
    }

    static let itemsPerMessage = 256

    func start(into queue: BoundedQueue<ProducerMessage>) {
        let thread = Thread { [self] in
            defer { done.signal() }
            var items: [ImportItem] = []
            items.reserveCapacity(RowProducer.itemsPerMessage)
            do {
                while let item = try next() {
                    items.append(item)
                    if items.count == RowProducer.itemsPerMessage {
                        guard queue.send(.items(items, bytesRead: bytes())) else { return }
                        items.removeAll(keepingCapacity: true)
                    }
                }
                if !items.isEmpty { guard queue.send(.items(items, bytesRead: bytes())) else { return } }
                _ = queue.send(.end(warnings: warnings()))
            } catch {
                if !items.isEmpty { guard queue.send(.items(items, bytesRead: bytes())) else { return } }
                _ = queue.send(.failed(error))
            }
        }
        thread.name = "afterdesk-import-reader"
        thread.start()
    }

    /// Waits for the thread to end (after `end`, `failed`, or the queue being closed).
    func join() { done.wait() }

    /// CSV rows of any profile.
    static func csv(reader: CSVReader<FileByteSource>, decoder: DealRowDecoder, file: String) -> RowProducer {
        RowProducer(
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
    static func json(reader: JSONDealReader<FileByteSource>, decoder: DealRowDecoder, file: String) -> RowProducer {
        RowProducer(
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

/// The consumer's side of the producer's queue: items one at a time, the bytes read so far, and how the stream ended
/// (the producer's warnings, or the error that stopped it).
final class ItemStream {
    let queue: BoundedQueue<ProducerMessage>
    private var pending: ArraySlice<ImportItem> = []
    private var finished = false
    private(set) var failure: (any Error)?
    private(set) var bytesRead: Int64 = 0
    private(set) var warnings: [String] = []

    init(capacity: Int) { queue = BoundedQueue(capacity: capacity) }

    /// The next item, waiting for the producer when none is pending; nil at the end.
    func next() -> ImportItem? {
        while pending.isEmpty {
            if finished { return nil }
            switch queue.receive() {
            case .items(let items, let bytes)?:
                pending = items[...]
                bytesRead = bytes
            case .end(let w)?:
                warnings += w
                finished = true
            case .failed(let error)?:
                failure = error
                finished = true
            case nil: finished = true
            }
        }
        return pending.popFirst()
    }
}
