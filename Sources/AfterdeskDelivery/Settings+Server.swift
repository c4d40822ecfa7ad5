import Foundation

/// How long the HTTP server waits for a client, and how long a temporary upload file may lie untouched: the
/// `*_timeout_seconds` and `body_min_bytes_per_second` keys of the settings (docs/settings.md). Tests set the fields
/// directly, in fractions of a second.
public struct ServerTimeouts: Sendable, Equatable {
    /// A request head (request line and headers) not complete this long after its first byte (or after the connection
    /// opened) closes the connection.
    public var head: Duration = .seconds(10)
    /// A keep-alive connection with no request for this long is closed.
    public var idle: Duration = .seconds(30)
    /// A request body still arriving this long after its request began answers 408.
    public var body: Duration = .seconds(600)
    /// A request body arriving slower than this many bytes a second, measured over `bodyRateWindow`, answers 408.
    public var bodyMinBytesPerSecond = 1_024
    public var bodyRateWindow: Duration = .seconds(60)
    /// A temporary upload file (of an upload not finished) untouched this long is removed; an upload in progress keeps
    /// its file's modification time fresh.
    public var upload: Duration = .seconds(3_600)

    /// How old a temporary upload file must be before it is taken for forgotten: the setting, but never less than a
    /// body's whole time and a minute, so an upload still arriving keeps its file.
    public var forgottenUpload: Duration { max(upload, body + .seconds(60)) }

    public init() {}

    static let keys: [Settings.Key] = [
        Settings.key("header_timeout_seconds", "seconds a client has to send a request's head before it is disconnected (default 10)") {
            $0.server.head = .seconds(try Settings.int($1, "header_timeout_seconds", atMost: 3_600))
        },
        Settings.key("keepalive_timeout_seconds", "seconds an idle keep-alive connection stays open (default 30)") {
            $0.server.idle = .seconds(try Settings.int($1, "keepalive_timeout_seconds", atMost: 86_400))
        },
        Settings.key("body_timeout_seconds", "seconds a request body may take in all before the answer is 408 (default 600)") {
            $0.server.body = .seconds(try Settings.int($1, "body_timeout_seconds", atMost: 86_400))
        },
        Settings.key("body_min_bytes_per_second", "a body slower than this over a minute answers 408 (default 1024)") {
            $0.server.bodyMinBytesPerSecond = try Settings.int($1, "body_min_bytes_per_second", atMost: 1 << 30)
        },
        Settings.key("upload_timeout_seconds", "seconds before an unfinished upload's temporary file is removed (default 3600)") {
            $0.server.upload = .seconds(try Settings.int($1, "upload_timeout_seconds", atMost: 30 * 86_400))
        },
    ]
}

extension Settings {
    /// A whole number from 1 to `atMost`: a timeout past it is a typo, and would overflow the server's timers.
    static func int(_ text: String, _ name: String, atMost: Int) throws -> Int {
        let n = try int(text, name)
        guard n <= atMost else { throw SettingsError("\(name): '\(text)' is more than \(atMost)") }
        return n
    }
}
