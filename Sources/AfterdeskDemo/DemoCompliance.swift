import AfterdeskCore
import AfterdeskStorage
import Foundation

/// The demo's compliance line, counted from the outbox after the fact: every text checked against the customer's
/// contact calendar (Afterdesk's window and the state's rules) at the instant it was written, and the most touches any
/// customer received in 30 days.
public enum DemoCompliance {
    public struct Check: Sendable, Equatable {
        /// Texts and emails of touches sent to customers.
        public var texts = 0
        public var emails = 0
        /// Texts written at an instant the customer's calendar blocks (should be 0).
        public var textsOutsideCalendar = 0
        /// The most touches (text, email or a task for a person) one customer received in any 30 calendar days.
        public var mostTouchesIn30Days = 0
        /// Messages of any channel still queued or failed (the recording channels take every message).
        public var notSent = 0
    }

    /// Reads every message of the outbox; the customer's state is known from the area code of the synthetic
    /// dealership's numbers (`SyntheticDealership.places`).
    public static func check(database db: any Storage, dealershipZone: String) async throws -> Check {
        var places: [String: (state: String, zip: String)] = [:]
        for p in SyntheticDealership.places + SyntheticDealership.localPlaces.values {
            for a in p.areas { places[a] = (p.state, p.zips.first ?? "") }
        }
        var check = Check()
        let zone = TimeZone(identifier: dealershipZone) ?? .current
        var touchDays: [Int64: [Int]] = [:]
        var seenTouches = Set<String>()
        for m in try await db.outbox(limit: 10_000_000) {
            if m.status != .sent && m.status != .delivered && m.status != .cancelled { check.notSent += 1 }
            guard m.idempotencyKey.hasPrefix("touch-"), m.status == .sent || m.status == .delivered else { continue }
            let touch = String(m.idempotencyKey.split(separator: "-").dropFirst().first ?? "")
            if let customer = m.customerID, seenTouches.insert(touch).inserted {
                touchDays[customer, default: []].append(LocalDate(m.createdAt, in: zone).daysSinceEpoch)
            }
            if m.channel == .email { check.emails += 1 }
            guard m.channel == .sms else { continue }
            check.texts += 1
            guard let code = AreaCodes.areaCode(of: m.recipient).map(String.init), let place = places[code],
                let zone = TimeZone(identifier: CustomerTimeZone.zone(state: place.state, zip: place.zip, dealershipZone: dealershipZone))
            else { continue }
            let calendar = ContactCalendar(rulebook: .shipped, home: zone, state: place.state, phone: m.recipient)
            if calendar.block(at: m.createdAt, noun: "texts") != nil { check.textsOutsideCalendar += 1 }
        }
        // As the gate counts them: calendar days, a touch on day D counting through day D+29.
        for (_, days) in touchDays {
            let sorted = days.sorted()
            var start = 0
            for end in sorted.indices {
                while sorted[end] - sorted[start] >= 30 { start += 1 }
                check.mostTouchesIn30Days = max(check.mostTouchesIn30Days, end - start + 1)
            }
        }
        return check
    }
}
