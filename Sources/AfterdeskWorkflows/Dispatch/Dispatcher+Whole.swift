import AfterdeskCore
import AfterdeskStorage
import Foundation

/// Work in steps that must not stop between them. The storage's calls refuse to start in a cancelled task (GRDB's
/// async calls throw `CancellationError`), so a request cancelled between two writes — the server shutting down, or
/// a client gone if the HTTP server ever cancels on that — would leave the first without the second: a task closed
/// as sold with its customer's follow-up still planned, an inbound text recorded (and so "seen before" when the
/// provider retries) without its reply task. Each such workflow runs in a task of its own, which the caller's
/// cancellation does not reach, and is awaited whole. A sign-in needs none: an attempt reserved and never settled
/// counts as a failure, the safe side.
enum Whole {
    static func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Task { try await work() }.value
    }
}

extension Dispatcher {
    /// A task closed with its outcome (`TaskStorage.completeTask`: a sale becomes a recovery, "stop contacting"
    /// withdraws consent) and its customer planned again at `now`, whole. Returns the customer.
    @discardableResult
    public func closeTask(
        id: Int64, outcome: TaskOutcome, product: String? = nil, price: Money? = nil, cost: Money? = nil, note: String? = nil,
        by user: String? = nil, now: Date
    ) async throws -> Int64 {
        try await Whole.run { [self] in
            let customer = try await database.completeTask(
                id: id, outcome: outcome, product: product, price: price, cost: cost, note: note, by: user, now: now)
            try await replan(customers: [customer], now: now)
            return customer
        }
    }

    /// Written consent recorded in the opt-out ledger, and the customers holding its address planned again, whole.
    @discardableResult
    public func recordConsent(address: String, channel: ContactChannel, evidence: String, date: LocalDate, by user: String, now: Date)
        async throws -> OptOutEntry
    {
        try await Whole.run { [self] in
            let entry = try await database.recordConsent(
                address: address, channel: channel, evidence: evidence, date: date, by: user, now: now)
            try await replan(customers: try await database.customers(holdingAddress: entry.address), now: now)
            return entry
        }
    }
}
