import CCurlShim
import Foundation
import Synchronization

/// A provider refused or could not be reached. `permanent` failures (a bad address, a refused number) are not retried.
public struct ChannelError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public var permanent: Bool
    public init(_ message: String, permanent: Bool = false) {
        self.message = message
        self.permanent = permanent
    }
    public var description: String { message }
}

/// One email on the wire: envelope and the whole RFC 5322 text.
public struct EmailEnvelope: Sendable, Equatable {
    public var from: String
    public var recipients: [String]
    public var data: String
    public init(from: String, recipients: [String], data: String) {
        self.from = from
        self.recipients = recipients
        self.data = data
    }
}

public protocol EmailChannel: Sendable {
    func send(_ email: EmailEnvelope) async throws(ChannelError)
}

public protocol SMSChannel: Sendable {
    /// Sends from `from` (a store's own number; nil: the channel's) and returns the provider's message id.
    func send(to: String, from: String?, body: String, idempotencyKey: String) async throws(ChannelError) -> String
    /// The provider's id of a message with this recipient and body sent from `from` since `since`, if there is one:
    /// how a message caught mid-send by a crash is reconciled instead of sent again.
    func find(to: String, from: String?, body: String, since: Date) async throws(ChannelError) -> String?
}

extension SMSChannel {
    /// Sends from the channel's own number.
    public func send(to: String, body: String, idempotencyKey: String) async throws(ChannelError) -> String {
        try await send(to: to, from: nil, body: body, idempotencyKey: idempotencyKey)
    }
    public func find(to: String, body: String, since: Date) async throws(ChannelError) -> String? {
        try await find(to: to, from: nil, body: body, since: since)
    }
}

public protocol WebhookChannel: Sendable {
    func post(url: String, body: Data, headers: [(String, String)]) async throws(ChannelError)
}

/// Runs a blocking libcurl call (SMTP) off the cooperative thread pool.
func blocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: work()) }
    }
}

/// Email through an SMTP server with libcurl: `smtp://` (STARTTLS when offered; required when logging in to a
/// server that is not on this machine) or `smtps://` (TLS from the start).
public struct SMTPEmailChannel: EmailChannel {
    public var url: String
    public var user: String?
    public var password: String?
    public var timeoutSeconds = 30
    /// A PEM file of certificate authorities to trust for the server, instead of the system's (a private CA).
    public let caFile: String?

    public init(url: String, user: String?, password: String?, caFile: String? = nil) {
        self.url = url
        self.user = user
        self.password = password
        self.caFile = caFile
    }

    var requireTLS: Bool {
        guard user != nil, url.hasPrefix("smtp://") else { return false }
        let host = URL(string: url)?.host ?? ""
        return !(host == "127.0.0.1" || host == "localhost" || host == "::1")
    }

    public func send(_ email: EmailEnvelope) async throws(ChannelError) {
        let (url, user, password, requireTLS, timeout, caFile) = (
            self.url, self.user, self.password, self.requireTLS, self.timeoutSeconds, self.caFile
        )
        let result = await blocking { () -> (Int32, Int, String) in
            var r = afterdesk_curl_result()
            let recipients = email.recipients.map { strdup("<\($0)>") }
            defer { for p in recipients { free(p) } }
            let pointers = recipients.map { UnsafePointer($0) }
            pointers.withUnsafeBufferPointer { rcpt in
                email.data.withCString { data in
                    afterdesk_smtp_send(
                        url, user, password, "<\(email.from)>", rcpt.baseAddress, rcpt.count, data, strlen(data),
                        requireTLS ? 1 : 0, caFile, timeout, &r)
                }
            }
            let error = withUnsafeBytes(of: r.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            afterdesk_curl_free(&r)
            return (r.curl_code, r.status, error)
        }
        guard result.0 == 0 else {
            // 5xx replies (mailbox unknown, refused) will not get better by retrying.
            throw ChannelError(
                "SMTP: \(result.2.isEmpty ? "curl error \(result.0)" : result.2) (reply \(result.1))",
                permanent: (500..<600).contains(result.1))
        }
    }
}

func formEncode(_ pairs: [(String, String)]) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return pairs.map {
        "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)"
    }
    .joined(separator: "&")
}

/// SMS through a Twilio-compatible REST API, on the shared client (`OutboundHTTP`): `POST {base}/2010-04-01/Accounts/{sid}/Messages.json` (form fields
/// `To`, `From`, `Body`, `StatusCallback`; basic auth with the account and token).
public struct TwilioSMSChannel: SMSChannel {
    public var baseURL: String
    public var accountSID: String
    public var authToken: String
    public var from: String
    public var statusCallback: String?
    public init(baseURL: String, accountSID: String, authToken: String, from: String, statusCallback: String?) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.accountSID = accountSID
        self.authToken = authToken
        self.from = from
        self.statusCallback = statusCallback
    }

    var messagesURL: String { "\(baseURL)/2010-04-01/Accounts/\(accountSID)/Messages.json" }

    struct Answer: Decodable {
        var sid: String?
        var message: String?
        var code: Int?
    }
    struct Page: Decodable {
        struct Message: Decodable {
            var sid: String
            var to: String?
            var body: String?
        }
        var messages: [Message]
    }

    public func send(to: String, from sender: String?, body: String, idempotencyKey: String) async throws(ChannelError) -> String {
        var form = [("To", to), ("From", sender ?? from), ("Body", body)]
        if let statusCallback { form.append(("StatusCallback", statusCallback)) }
        let result = try await httpRequest(
            method: "POST", url: messagesURL, user: accountSID, password: authToken,
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
                ("I-Twilio-Idempotency-Token", idempotencyKey),
            ],
            body: Data(formEncode(form).utf8))
        let answer = try? JSONDecoder().decode(Answer.self, from: result.body)
        guard (200..<300).contains(result.status), let sid = answer?.sid else {
            let why = answer?.message ?? String(decoding: result.body.prefix(200), as: UTF8.self)
            // 4xx other than 408/429 is our request or the number: retrying will not help.
            let permanent = (400..<500).contains(result.status) && result.status != 408 && result.status != 429
            throw ChannelError("SMS provider answered \(result.status): \(why)", permanent: permanent)
        }
        return sid
    }

    public func find(to: String, from sender: String?, body: String, since: Date) async throws(ChannelError) -> String? {
        let day = ISO8601DateFormatter().string(from: since).prefix(10)
        let query = formEncode([("To", to), ("From", sender ?? from), ("DateSent>", String(day)), ("PageSize", "100")])
        let result = try await httpRequest(
            method: "GET", url: messagesURL + "?" + query, user: accountSID, password: authToken,
            headers: [("Accept", "application/json")], body: nil)
        guard (200..<300).contains(result.status) else { throw ChannelError("SMS provider answered \(result.status) to a message lookup") }
        guard let page = try? JSONDecoder().decode(Page.self, from: result.body) else {
            throw ChannelError("SMS provider's message list is not JSON")
        }
        return page.messages.first { $0.body == body && ($0.to == nil || $0.to == to) }?.sid
    }
}

/// The task webhook: JSON POSTed with a signature header, on the shared client (`OutboundHTTP`).
public struct HTTPWebhookChannel: WebhookChannel {
    public init() {}
    public func post(url: String, body: Data, headers: [(String, String)]) async throws(ChannelError) {
        let result = try await httpRequest(
            method: "POST", url: url, user: nil, password: nil,
            headers: [("Content-Type", "application/json")] + headers, body: body)
        guard (200..<300).contains(result.status) else {
            throw ChannelError(
                "webhook answered \(result.status)", permanent: result.status == 400 || result.status == 404 || result.status == 410)
        }
    }
}

/// Every channel, recording instead of sending: for the demo and the tests. It can be told to fail.
public final class RecordingChannels: EmailChannel, SMSChannel, WebhookChannel, Sendable {
    public struct SMS: Sendable, Equatable {
        public var sid: String
        public var to: String
        public var body: String
        public var key: String
        /// The store's own number it was sent from; nil: the channel's.
        public var from: String? = nil
    }
    public struct Post: Sendable, Equatable {
        public var url: String
        public var body: Data
        public var headers: [String: String]
    }
    struct State {
        var emails: [EmailEnvelope] = []
        var sms: [SMS] = []
        var smsByKey: [String: Int] = [:]
        var posts: [Post] = []
        var failures = 0
        var permanent = false
    }
    let state = Mutex(State())
    public init() {}

    public var emails: [EmailEnvelope] { state.withLock { $0.emails } }
    public var sms: [SMS] { state.withLock { $0.sms } }
    public var posts: [Post] { state.withLock { $0.posts } }

    /// The next `count` sends fail (temporarily, or for good).
    public func fail(next count: Int, permanent: Bool = false) {
        state.withLock {
            $0.failures = count
            $0.permanent = permanent
        }
    }

    func failing() -> ChannelError? {
        state.withLock { s in
            guard s.failures > 0 else { return nil }
            s.failures -= 1
            return ChannelError("simulated provider failure", permanent: s.permanent)
        }
    }

    public func send(_ email: EmailEnvelope) async throws(ChannelError) {
        if let e = failing() { throw e }
        state.withLock { $0.emails.append(email) }
    }

    public func send(to: String, from: String?, body: String, idempotencyKey: String) async throws(ChannelError) -> String {
        if let e = failing() { throw e }
        return state.withLock { s in
            // Like a provider honouring an idempotency key: the same key gives the same message.
            if let same = s.smsByKey[idempotencyKey] { return s.sms[same].sid }
            let sid = "SM" + String(format: "%032d", s.sms.count + 1)
            s.smsByKey[idempotencyKey] = s.sms.count
            s.sms.append(SMS(sid: sid, to: to, body: body, key: idempotencyKey, from: from))
            return sid
        }
    }

    public func find(to: String, from: String?, body: String, since: Date) async throws(ChannelError) -> String? {
        state.withLock { $0.sms.first { $0.to == to && $0.body == body && $0.from == from }?.sid }
    }

    public func post(url: String, body: Data, headers: [(String, String)]) async throws(ChannelError) {
        if let e = failing() { throw e }
        state.withLock { $0.posts.append(Post(url: url, body: body, headers: Dictionary(headers, uniquingKeysWith: { a, _ in a }))) }
    }
}
