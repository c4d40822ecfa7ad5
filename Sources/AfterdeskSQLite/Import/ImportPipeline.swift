import AfterdeskCore
import AfterdeskStorage
import Foundation

enum ProducerMessage: Sendable {
    case items([ImportItem], bytesRead: Int64)
    case end(warnings: [String])
    case failed(any Error)
}

/// Reads and validates rows on its own thread, so parsing overlaps SQLite's work on the other core.
final class RowProducer: @unchecked Sendable {
    // @unchecked: `reader` holds the file's reader and decoder, which only the
    // producer thread touches once `start` is called; the creating thread hands them over and never uses them again.
    private let reader: RowReader
    private let done = DispatchSemaphore(value: 0)

    init(_ reader: RowReader) { self.reader = reader }

    static let itemsPerMessage = 256

    func start(into queue: BoundedQueue<ProducerMessage>) {
        let thread = Thread { [self] in
            defer { done.signal() }
            var items: [ImportItem] = []
            items.reserveCapacity(RowProducer.itemsPerMessage)
            do {
                while let item = try reader.next() {
                    items.append(item)
                    if items.count == RowProducer.itemsPerMessage {
                        guard queue.send(.items(items, bytesRead: reader.bytes())) else { return }
                        items.removeAll(keepingCapacity: true)
                    }
                }
                if !items.isEmpty { guard queue.send(.items(items, bytesRead: reader.bytes())) else { return } }
                _ = queue.send(.end(warnings: reader.warnings()))
            } catch {
                if !items.isEmpty { guard queue.send(.items(items, bytesRead: reader.bytes())) else { return } }
                _ = queue.send(.failed(error))
            }
        }
        thread.name = "afterdesk-import-reader"
        thread.start()
    }

    /// Waits for the thread to end (after `end`, `failed`, or the queue being closed).
    func join() { done.wait() }
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
