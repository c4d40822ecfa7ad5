import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// The process's one HTTP client for the SMS API and the webhooks (SMTP stays on libcurl): async-http-client on the
/// process's shared event loops, so a request holds no thread while it waits. Connections are pooled and kept alive,
/// at most `connectionsPerHost` to a host; https is TLS, verified against the system's certificate authorities;
/// redirects are not followed (a 3xx is an answer, as it was with libcurl).
///
/// Created on first use; whoever owns the process's end shuts it down once: the `afterdesk` command after its run, the
/// server's service group through `OutboundHTTPService`. A request after that fails, temporarily.
public final class OutboundHTTP: Sendable {
    /// Seconds to open a connection (TCP and TLS).
    public static let connectSeconds: Int64 = 10
    /// Seconds a request may take in all, answer included (libcurl's `CURLOPT_TIMEOUT` before, the same 30 s), and
    /// the longest wait for the next bytes of an answer.
    public static let requestSeconds: Int64 = 30
    /// Connections kept to one host (the provider's API, a CRM): more requests at a time wait for one.
    public static let connectionsPerHost = 8
    /// An answer longer than this is refused (a provider's answer is small).
    public static let maxAnswerBytes = 4 * 1024 * 1024

    public static let shared = OutboundHTTP()

    private enum State {
        case idle
        case running(HTTPClient)
        case shutDown
    }
    private let state = Mutex(State.idle)

    init() {}

    /// The client, created on first use; nil once shut down.
    func client() -> HTTPClient? {
        state.withLock { state in
            switch state {
            case .idle:
                var configuration = HTTPClient.Configuration(
                    redirectConfiguration: .disallow,
                    timeout: .init(connect: .seconds(Self.connectSeconds), read: .seconds(Self.requestSeconds)),
                    connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: Self.connectionsPerHost))
                // A connection refused fails the request now, as with libcurl: the dispatcher's backoff retries it,
                // and a provider that is down does not hold each message for the whole connect timeout.
                configuration.connectionPool.retryConnectionEstablishment = false
                let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                state = .running(client)
                return client
            case .running(let client): return client
            case .shutDown: return nil
            }
        }
    }

    /// Whether the client was ever created (and not yet shut down).
    public var isRunning: Bool { state.withLock { if case .running = $0 { true } else { false } } }

    /// Closes the pooled connections and refuses further requests; waits for requests in flight to end. Idempotent.
    public func shutdown() async {
        let client: HTTPClient? = state.withLock { state in
            defer { state = .shutDown }
            if case .running(let client) = state { return client }
            return nil
        }
        try? await client?.shutdown()
    }
}

/// One HTTP answer.
struct HTTPResult: Sendable {
    var status: Int
    var body: Data
}

/// One request through the shared client. Every failure to get an answer (refused, reset, timed out, too long, shut
/// down) is temporary, as libcurl's errors were; the message names the method and the URL without its query (which
/// may hold a customer's number).
func httpRequest(
    method: String, url: String, user: String?, password: String?, headers: [(String, String)], body: Data?,
    http: OutboundHTTP = .shared
) async throws(ChannelError) -> HTTPResult {
    let shown = "HTTP \(method) \(url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url)"
    guard let client = http.client() else { throw ChannelError("\(shown): the process is shutting down") }
    var request = HTTPClientRequest(url: url)
    request.method = HTTPMethod(rawValue: method)
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let user, !user.isEmpty {
        let credentials = Data("\(user):\(password ?? "")".utf8).base64EncodedString()
        request.headers.replaceOrAdd(name: "Authorization", value: "Basic \(credentials)")
    }
    if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
    do {
        let response = try await client.execute(request, timeout: .seconds(OutboundHTTP.requestSeconds))
        var answer = try await response.body.collect(upTo: OutboundHTTP.maxAnswerBytes)
        let bytes = answer.readBytes(length: answer.readableBytes) ?? []
        return HTTPResult(status: Int(response.status.code), body: Data(bytes))
    } catch {
        throw ChannelError("\(shown): \(describe(error))")
    }
}

/// A transport error in a few words, never the request (its body may hold a customer's number).
private func describe(_ error: any Error) -> String {
    switch error {
    case let e as HTTPClientError where e == .deadlineExceeded || e == .readTimeout || e == .connectTimeout:
        return "timed out"
    case let e as HTTPClientError where e == .alreadyShutdown:
        return "the process is shutting down"
    case let e as HTTPClientError:
        return "\(e)"
    case is NIOTooManyBytesError:
        return "answer longer than \(OutboundHTTP.maxAnswerBytes) bytes"
    default:
        return "\(error)"
    }
}
