import Foundation

extension ComplianceGate {
    /// How long a message waits, each time the gate finds the customer's reply still unanswered.
    public static let replyPauseRetry: TimeInterval = 4 * 3600

    /// A text or email to a customer whose reply a person has not yet closed waits (DESIGN.md, Compliance: a reply in
    /// the customer's own words may be a revocation the keyword list did not catch, or a question to answer first). It
    /// is looked at again in four hours, and given up when the products' post-sale windows close first. Call tasks go
    /// on: they are the person answering.
    func replyPause(_ input: GateInput, kept: [GateItem], now: Date) -> GateDecision? {
        guard input.awaitingReply, input.action != .task else { return nil }
        let retry = now.addingTimeInterval(Self.replyPauseRetry)
        if Self.windowsClosed(kept, by: retry, zone: input.zone) {
            return .skip(reason: "the customer's reply is waiting for a person, and the post-sale window closes before then")
        }
        return .move(to: retry, reason: "paused: the customer replied by text and a person has not closed the reply task yet")
    }

    /// True when every product's post-sale window has closed by `instant` (on the customer's calendar): a touch moved
    /// there would raise nothing. A product with no end keeps the touch worth sending.
    static func windowsClosed(_ items: [GateItem], by instant: Date, zone: TimeZone) -> Bool {
        guard !items.contains(where: { $0.eligibleUntil == nil }), let until = items.compactMap(\.eligibleUntil).max() else {
            return false
        }
        return LocalDate(instant, in: zone) > until
    }
}
