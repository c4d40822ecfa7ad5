import Foundation
import Logging
import Synchronization

/// Log lines as JSON, one object per line on standard error (`serve --log-format json`), for a log collector:
/// `{"at": …, "level": …, "label": …, "message": …, "metadata": {…}, "source": …}`. What is logged is the same as in
/// the text format: never a customer's phone or email (docs/security.md).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let write: @Sendable (String) -> Void

    public init(label: String, write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        write(Self.line(at: Date(), level: event.level, label: label, message: "\(event.message)", metadata: merged, source: event.source))
    }

    /// One line of JSON (keys sorted, so lines compare).
    public static func line(
        at: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata, source: String
    ) -> String {
        var object: [String: Any] = [
            "at": ISO8601DateFormatter().string(from: at), "level": level.rawValue, "label": label, "message": message, "source": source,
        ]
        if !metadata.isEmpty { object["metadata"] = metadata.mapValues(Self.plain) }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{\"level\":\"error\",\"message\":\"a log line could not be encoded\"}"
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func plain(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let s): return s
        case .stringConvertible(let c): return c.description
        case .array(let a): return a.map(plain)
        case .dictionary(let d): return d.mapValues(plain)
        }
    }

    private static let lock = Mutex(())
    public static let standardError: @Sendable (String) -> Void = { line in
        lock.withLock { _ in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}
