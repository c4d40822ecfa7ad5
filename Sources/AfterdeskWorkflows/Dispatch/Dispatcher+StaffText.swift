import AfterdeskCore
import AfterdeskStorage
import Foundation

extension Dispatcher {
    /// What a person's text did.
    public enum StaffTextResult: Sendable, Equatable {
        /// Handed to the provider.
        case sent
        /// Queued: the provider did not take it now; the scheduler tries again (the outbox shows why).
        case queued(String)
        case refused(String)
    }

    /// A text a person writes on a task page: checked, signed, passed through the compliance gate with every text the
    /// customer had (opt-outs, contact hours, caps) and sent through the store's SMS number at once. `nonce` is the
    /// form's one-time value: the same form sent twice sends one text.
    public func staffText(taskID: Int64, written: String, by name: String, nonce: String, now: Date) async throws -> StaffTextResult {
        // Signed by the task's store and sent from its number, with its settings and the declared emergencies as they
        // are now (a person's text is held by a blackout like any other).
        guard !isStoreView else { return try await staffTextHere(taskID: taskID, written: written, by: name, nonce: nonce, now: now) }
        let current = current(emergencies: try await database.emergencyStates(), own: try await database.storeSettings())
        if !current.storeViews.isEmpty, let store = try await database.taskOwner(id: taskID)?.store,
            let view = current.storeViews[store]
        {
            return try await view.staffTextHere(taskID: taskID, written: written, by: name, nonce: nonce, now: now)
        }
        return try await current.staffTextHere(taskID: taskID, written: written, by: name, nonce: nonce, now: now)
    }

    /// `staffText` under this dispatcher's store, settings and gate.
    private func staffTextHere(taskID: Int64, written: String, by name: String, nonce: String, now: Date) async throws
        -> StaffTextResult
    {
        let body = StaffTextRules.body(written, signedBy: name, dealer: menu.dealership.name)
        if let problem = StaffTextRules.problem(body, maxSegments: templates.maxSegments) { return .refused(problem) }
        let key = NewOutboxMessage.staffTextKey(task: taskID, nonce: nonce)
        let outcome = try await database.staffText(taskID: taskID, now: now) { touch in
            guard let phone = touch.customer.phone else { return .refuse("Not sent: no mobile number on file.") }
            var (input, zone) = gateInput(touch)
            // The person is the one answering: a waiting reply does not hold their text, and the text is about no one
            // product, so nothing of a product's window can end it.
            input.awaitingReply = false
            input.items = [GateItem(dealNumber: "", product: "a text from \(name)", eligibleUntil: nil)]
            let formatter = DateFormatter()
            formatter.timeZone = zone
            formatter.dateFormat = "EEE MMM d, h:mm a"
            if let why = StaffTextRules.refusal(gate.decide(input, now: now), zone: zone, format: formatter.string) {
                return .refuse(why)
            }
            return .send(
                NewOutboxMessage(
                    channel: .sms, idempotencyKey: key, recipient: phone, body: body, headers: OutboxSender.headers(sender: ownSender.sms)))
        }
        switch outcome {
        case .refused(let why): return .refused(why)
        case .queued(let id):
            guard let message = try await database.claimOutbox(id: id, now: now) else { return .sent }
            let result = await send(message, now: now)
            try await database.completeOutbox([(id, result)], now: now)
            if case .failed(let error, _) = result { return .queued(error) }
            return .sent
        }
    }
}
