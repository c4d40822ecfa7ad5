import AfterdeskDelivery
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Hummingbird's HTTP/1 channel with a deadline for each request's head: a connection whose request line and headers
/// are not all in within `ServerTimeouts.head` (counted from the connection's start, then from the first byte of each
/// next request) is closed. Hummingbird's own idle timeout (`ServerTimeouts.idle`) closes a keep-alive connection
/// that sends nothing, but it restarts only on a parsed part, so a head trickled a byte at a time never reached it.
struct DeadlineHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = HTTP1Channel.Value
    let inner: HTTP1Channel
    let timeouts: ServerTimeouts

    init(responder: @escaping HTTPChannelHandler.Responder, timeouts: ServerTimeouts) {
        self.inner = HTTP1Channel(
            responder: responder,
            configuration: .init(additionalChannelHandlers: [HeadObserver()], idleTimeout: TimeAmount(timeouts.idle)))
        self.timeouts = timeouts
    }

    var responder: HTTPChannelHandler.Responder { inner.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            // First in the pipeline, so it sees the bytes before the HTTP decoder does.
            try channel.pipeline.syncOperations.addHandler(HeadDeadline(timeouts: timeouts), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with Afterdesk's timeouts (`DeadlineHTTP1Channel`).
    static func http1(timeouts: ServerTimeouts) -> HTTPServerBuilder {
        .init { responder in DeadlineHTTP1Channel(responder: responder, timeouts: timeouts) }
    }
}

extension TimeAmount {
    /// The same span, saturating at about 292 years rather than trapping.
    init(_ d: Duration) {
        let (seconds, attoseconds) = d.components
        let (nanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = overflow ? .nanoseconds(seconds < 0 ? .min : .max) : .nanoseconds(nanos &+ attoseconds / 1_000_000_000)
    }
}

/// Closes the connection when a request's head takes longer than its deadline, and is the backstop of every request
/// body: one still arriving `bodyGrace` after `ServerTimeouts.body`, or slower than `bodyMinBytesPerSecond` over
/// twice `bodyRateWindow`, closes the connection. The upload routes answer such a body with 408 themselves
/// (`BodyDeadline`, with the tighter numbers); this holds the other bodies (forms, webhooks, the API's JSON) to the same
/// rule. Watches the raw bytes (before the decoder); `HeadObserver`, after the decoder, says when a head is complete
/// and when a request has ended.
final class HeadDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    let timeouts: ServerTimeouts
    /// Beyond `ServerTimeouts.body`, so an upload route's own 408 comes first: 30 s, or the body timeout when shorter.
    var bodyGrace: TimeAmount { min(.seconds(30), TimeAmount(timeouts.body)) }
    /// Between requests: the next byte starts a head.
    private var waitingForHead = true
    /// Between a head and its request's end.
    private var inBody = false
    private var bodyBytes = 0
    private var timer: Scheduled<Void>?
    private var bodyTimer: Scheduled<Void>?
    private var rateCheck: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(timeouts: ServerTimeouts) { self.timeouts = timeouts }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if waitingForHead { start(context) }
        if inBody { bodyBytes &+= unwrapInboundIn(data).readableBytes }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancel()
        cancelBody()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancel()
        cancelBody()
        self.context = nil
    }

    /// The head is in: no head deadline until the request has ended; the body's begin.
    func headReceived() {
        waitingForHead = false
        cancel()
        guard let context else { return }
        inBody = true
        bodyBytes = 0
        bodyTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeouts.body) + bodyGrace) {
            [weak self] in
            guard let self, self.inBody else { return }
            context.close(promise: nil)
        }
        scheduleRateCheck(context)
    }

    /// Every two rate windows while a body arrives: fewer bytes than the least rate allows closes the connection.
    private func scheduleRateCheck(_ context: ChannelHandlerContext) {
        let window = TimeAmount(timeouts.bodyRateWindow) * 2
        let least = Double(timeouts.bodyMinBytesPerSecond) * Double(window.nanoseconds) / 1e9
        rateCheck = context.eventLoop.assumeIsolated().scheduleTask(in: window) { [weak self] in
            guard let self, self.inBody else { return }
            if Double(self.bodyBytes) < least {
                context.close(promise: nil)
                return
            }
            self.bodyBytes = 0
            self.scheduleRateCheck(context)
        }
    }

    /// The request's body has ended: the next byte starts the next head's deadline.
    func requestEnded() {
        waitingForHead = true
        cancelBody()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard timer == nil else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeouts.head)) { [weak self] in
            guard let self, self.waitingForHead else { return }
            self.timer = nil
            context.close(promise: nil)
        }
    }

    private func cancel() {
        timer?.cancel()
        timer = nil
    }

    private func cancelBody() {
        inBody = false
        bodyTimer?.cancel()
        bodyTimer = nil
        rateCheck?.cancel()
        rateCheck = nil
    }
}

/// Tells `HeadDeadline` (first in the same pipeline) when a head is complete and when a request has ended.
final class HeadObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    private var deadline: HeadDeadline?

    func handlerAdded(context: ChannelHandlerContext) {
        deadline = try? context.pipeline.syncOperations.handler(type: HeadDeadline.self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: deadline?.headReceived()
        case .end: deadline?.requestEnded()
        case .body: break
        }
        context.fireChannelRead(data)
    }
}

/// A request body's own deadline (Hummingbird's idle timeout restarts on every part, so a body trickled a byte at a
/// time never reaches it): longer than `ServerTimeouts.body` in all, or fewer than `bodyMinBytesPerSecond` over a
/// window of `bodyRateWindow`, and the body is refused with 408.
struct BodyDeadline {
    struct Expired: Error, CustomStringConvertible {
        var description: String
    }

    let timeouts: ServerTimeouts
    let start: ContinuousClock.Instant
    private var windowStart: ContinuousClock.Instant
    private var windowBytes = 0

    init(_ timeouts: ServerTimeouts, now: ContinuousClock.Instant = .now) {
        self.timeouts = timeouts
        self.start = now
        self.windowStart = now
    }

    /// `bytes` more arrived at `now`; throws when the body is too slow or too long.
    mutating func received(_ bytes: Int, now: ContinuousClock.Instant = .now) throws(Expired) {
        if now - start > timeouts.body {
            throw Expired(description: "the body took longer than \(timeouts.body.components.seconds) seconds")
        }
        windowBytes += bytes
        let window = now - windowStart
        guard window >= timeouts.bodyRateWindow else { return }
        let seconds = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
        if Double(windowBytes) < Double(timeouts.bodyMinBytesPerSecond) * seconds {
            throw Expired(description: "the body arrived slower than \(timeouts.bodyMinBytesPerSecond) bytes a second")
        }
        windowStart = now
        windowBytes = 0
    }
}

extension ConnectionContext {
    /// After a refusal that leaves a body unread (413, 408): the connection closes a moment after the answer, rather
    /// than reading the rest of the body first (a client sending on regardless is cut off).
    func closeSoon(after delay: TimeAmount = .seconds(2)) {
        guard let channel else { return }
        channel.eventLoop.scheduleTask(in: delay) { channel.close(promise: nil) }
    }
}
