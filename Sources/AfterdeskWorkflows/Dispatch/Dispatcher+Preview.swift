import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import Logging

extension Dispatcher {
    /// What each touch of a deal's declined product would send, on every channel it may use, each as of its planned
    /// moment with the facts the plan projects for that day (the days left, the class open then). `asOf` (`--now`)
    /// renders every touch as of that instant instead. A touch the plan does not hold as planned (sent, skipped,
    /// dropped) says so and, without `asOf`, is not rendered.
    public func preview(
        dealNumber: String, store: String? = nil, product: String, touch: String? = nil, now: Date, asOf: Date? = nil
    ) async throws -> [MessagePreview] {
        // A group's deal is previewed as its store sends: its menu, name, address and own settings.
        if !isStoreView, let code = try await storeOf(dealNumber: dealNumber, store: store) {
            let current = try await withCurrentStoreSettings()
            if let view = current.storeViews[code] {
                return try await view.preview(dealNumber: dealNumber, store: code, product: product, touch: touch, now: now, asOf: asOf)
            }
        }
        guard let menuProduct = menu.product(product) else { throw StoreError("'\(product)' is not a product of the menu") }
        guard let (customer, base, planned) = try await database.previewFacts(dealNumber: dealNumber, store: store, product: product) else {
            throw StoreError("deal \(dealNumber) has no product '\(product)'")
        }
        let zone = customerZone(state: customer.state, zip: customer.zip)
        let states = try await database.previewTouches(dealID: base.dealID, product: product)
        var out: [MessagePreview] = []
        for rule in menuProduct.timing.touches where touch == nil || rule.name == touch {
            let state = states[rule.name]
            let isPlanned = state?.status == .planned
            let note = isPlanned ? nil : Self.notPlanned(state)
            let day: LocalDate
            if let asOf {
                day = LocalDate(asOf, in: zone)
            } else if isPlanned, let d = state?.dueOn ?? state?.dueAt.map({ LocalDate($0, in: zone) }) {
                day = d
            } else {
                out.append(
                    MessagePreview(
                        template: rule.template, channel: "none", planned: planned[rule.name], subject: nil, body: note ?? "",
                        encoding: nil,
                        note: note))
                continue
            }
            var item = base
            item.touchName = rule.name
            item.template = rule.template
            var facts = self.facts([item], customer: customer, today: day)
            // As dispatch sends it: with an offer link as long as a real one (a 22-character token).
            facts.offerURL = "\(settings.publicURL)/o/AbCdEfGhIjKlMnOpQrStUv"
            facts.advertisement = !customer.emailConsentAffirmative
            // Only the channel the plan makes it by, when it is planned.
            let channel = isPlanned && asOf == nil ? state?.action?.rawValue : nil
            out += previews(rule, facts: facts, planned: planned[rule.name], asOf: day, note: note, channel: channel)
        }
        return out
    }

    /// Why a touch is not planned, in words for the person reviewing it.
    static func notPlanned(_ state: PreviewTouch?) -> String {
        guard let state else {
            return "Not planned: the plan has no such touch for this deal (its day has passed, its anchor does not apply to this vehicle, "
                + "or the product cannot be bought then)."
        }
        let when = state.dueOn.map { " (\($0))" } ?? ""
        switch state.status {
        case .sent: return "Not planned any more: already sent\(when)."
        case .skipped: return "Not planned any more: skipped\(when)\(state.reason.map { ": \($0)" } ?? "")."
        default: return "Not planned: \(state.status.rawValue)\(when)\(state.reason.map { ": \($0)" } ?? "")."
        }
    }

    /// One touch's previews, rendered from `facts`.
    func previews(
        _ rule: TouchRule, facts: MessageFacts, planned: String?, asOf day: LocalDate, note: String?, channel: String? = nil
    ) -> [MessagePreview] {
        let asOf = day.description
        if rule.action == .task || channel == "task" {
            let why =
                rule.action == .task
                ? "the menu makes this touch a task" : "planned as a task: the quote is above the threshold, or no consent for SMS or email"
            return [
                MessagePreview(
                    template: rule.template, channel: "task", planned: planned, subject: nil, body: "A call from a person (\(why)).",
                    encoding: nil, asOf: asOf, note: note)
            ]
        }
        var out: [MessagePreview] = []
        if channel != "email", let sms = templates.renderSMS(rule.template, facts: facts) {
            let e = SMSEncoding(sms)
            out.append(
                MessagePreview(
                    template: rule.template, channel: "sms", planned: planned, subject: nil, body: sms,
                    encoding: "\(e.alphabet.rawValue), \(e.units) characters, \(e.segments) segment\(e.segments == 1 ? "" : "s")",
                    asOf: asOf, note: note))
        }
        if channel != "sms", let email = templates.renderEmail(rule.template, facts: facts) {
            out.append(
                MessagePreview(
                    template: rule.template, channel: "email", planned: planned, subject: email.subject, body: email.text,
                    encoding: nil, asOf: asOf, note: note))
        }
        return out
    }

    /// The store of a deal (nil when there is no such deal).
    private func storeOf(dealNumber: String, store: String?) async throws -> String? {
        if let store { return store }
        return try await database.deal(number: dealNumber, store: nil)?.store
    }
}
