import Foundation

/// What a press of a button on the offer page does (docs/offers.md): the rules the offer controller renders. The
/// presses per link are limited before these rules run; the store records a press's task once per link and action.
public enum OfferPressRules {
    /// What the page does with a press, by whether the link still works.
    public enum Step: Sendable, Equatable {
        /// The link still works and asks for a new one: nothing to record, the offer page again.
        case showOffer
        /// Recorded (a task or a pause), then the offer page with what happens next.
        case recordAndShowOffer
        /// The link no longer works and the customer asked for a new one: recorded as a task, then thanked.
        case recordAndThank
        /// The link no longer works: nothing recorded, the page says why.
        case gone
    }

    public static func step(isLive: Bool, action: OfferAction) -> Step {
        switch (isLive, action) {
        case (false, .newLink): .recordAndThank
        case (false, _): .gone
        case (true, .newLink): .showOffer
        case (true, _): .recordAndShowOffer
        }
    }

    /// What the task of a press is written from: the link's customer, deal, product and message.
    public struct Facts: Sendable, Equatable {
        public var customerName: String
        public var productName: String
        public var dealNumber: String
        /// The price as a message may say it ("from $895.00").
        public var price: String
        /// "email" or "sms": the message the link came in.
        public var channel: String
        public var sentAt: Date
        public var vehicle: String

        public init(
            customerName: String, productName: String, dealNumber: String, price: String, channel: String, sentAt: Date, vehicle: String
        ) {
            self.customerName = customerName
            self.productName = productName
            self.dealNumber = dealNumber
            self.price = price
            self.channel = channel
            self.sentAt = sentAt
            self.vehicle = vehicle
        }
    }

    /// A press's task, before it is routed to a person.
    public struct RaisedTask: Sendable, Equatable {
        public static let kind = "offer_reply"
        public var title: String
        public var detail: String
        public var dueAt: Date
        public var slaAt: Date
    }

    /// The task a press makes, nil for "Not now" (a pause instead): urgent, an hour of opening hours, for "I'm
    /// interested" and "Call me"; a normal one, due when the store next opens with the usual SLA (`slaHours`), for "Send
    /// me a new link".
    public static func task(
        _ action: OfferAction, _ f: Facts, hours: StoreHours, slaHours: Int, now: Date, zone: TimeZone
    ) -> RaisedTask? {
        guard action != .notNow else { return nil }
        let due = hours.deadline(after: now, minutes: 0, zone: zone)
        let title: String
        let sla: Date
        if action == .newLink {
            title = "\(f.customerName) asked for a new link about \(f.productName)"
            sla = due.addingTimeInterval(Double(slaHours) * 3600)
        } else {
            title = "Urgent: \(f.customerName) pressed \"\(action.label)\" about \(f.productName)"
            sla = hours.deadline(after: now, minutes: 60, zone: zone)
        }
        let detail = [
            "\(f.productName) (deal \(f.dealNumber), \(f.price)): the customer pressed \"\(action.label)\" on the offer page "
                + "of the \(f.channel == "email" ? "email" : "text") sent \(clock(f.sentAt, zone: zone)).",
            action == .newLink
                ? "Their link no longer worked. Call them, or raise the product at their next visit." : "Call within the hour.",
            "Vehicle: \(f.vehicle)",
        ].joined(separator: "\n")
        return RaisedTask(title: title, detail: detail, dueAt: due, slaAt: sla)
    }

    /// "Not now": the product is not raised again for `pauseDays` (the product's, else 30) from the store's `today`.
    public static func pauseUntil(today: LocalDate, pauseDays: Int?) -> LocalDate { today.adding(days: pauseDays ?? 30) }

    /// What the page tells the customer happens next. `slaAt` is the press's task's, `pauseUntil` the pause's.
    public static func answer(
        _ action: OfferAction, firstName: String, dealer: String, productName: String, slaAt: Date?, pauseUntil: LocalDate?,
        hours: StoreHours, now: Date, zone: TimeZone
    ) -> String {
        switch action {
        case .interested, .callMe:
            let sla = slaAt ?? now
            let when =
                hours.isOpen(on: LocalDate(now, in: zone)) && sla.timeIntervalSince(now) <= 3600
                ? "within the hour" : "by \(clock(sla, zone: zone))"
            return "Thank you, \(firstName). Someone from \(dealer) will call you \(when)."
        case .notNow:
            let until = (pauseUntil ?? LocalDate(now, in: zone)).longDate
            return "Understood. We will not bring up \(productName) again before \(until)."
        case .newLink:
            return "Thank you. We will be in touch."
        }
    }

    /// "3:05 PM on Tuesday, November 17", on the store's clock.
    public static func clock(_ d: Date, zone: TimeZone) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        f.dateFormat = "h:mm a 'on' EEEE, MMMM d"
        return f.string(from: d)
    }
}
