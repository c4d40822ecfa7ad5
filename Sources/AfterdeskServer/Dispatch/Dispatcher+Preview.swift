import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStore
import Foundation
import Logging

extension Dispatcher {
    /// What each touch of a deal's declined product would send, on every channel it may use.
    public func preview(dealNumber: String, store: String? = nil, product: String, touch: String? = nil, now: Date) throws
        -> [MessagePreview]
    {
        guard let menuProduct = menu.product(product) else { throw StoreError("'\(product)' is not a product of the menu") }
        guard let (customer, base, planned) = try database.previewFacts(dealNumber: dealNumber, store: store, product: product) else {
            throw StoreError("deal \(dealNumber) has no product '\(product)'")
        }
        let zone = customerZone(state: customer.state, zip: customer.zip)
        var out: [MessagePreview] = []
        for rule in menuProduct.timing.touches where touch == nil || rule.name == touch {
            var item = base
            item.touchName = rule.name
            item.template = rule.template
            let facts = self.facts([item], customer: customer, today: LocalDate(now, in: zone))
            let due = planned[rule.name]
            if rule.action == .task {
                out.append(
                    MessagePreview(
                        template: rule.template, channel: "task", planned: due, subject: nil,
                        body: "A call from a person (the menu makes this touch a task).", encoding: nil))
                continue
            }
            if let sms = templates.renderSMS(rule.template, facts: facts) {
                let e = SMSEncoding(sms)
                out.append(
                    MessagePreview(
                        template: rule.template, channel: "sms", planned: due, subject: nil, body: sms,
                        encoding: "\(e.alphabet.rawValue), \(e.units) characters, \(e.segments) segment\(e.segments == 1 ? "" : "s")"))
            }
            if let email = templates.renderEmail(rule.template, facts: facts) {
                out.append(
                    MessagePreview(
                        template: rule.template, channel: "email", planned: due, subject: email.subject, body: email.text, encoding: nil))
            }
        }
        return out
    }
}
