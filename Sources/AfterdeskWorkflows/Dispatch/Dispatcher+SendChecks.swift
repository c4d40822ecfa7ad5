import AfterdeskCore
import AfterdeskStorage
import Foundation

extension Dispatcher {
    /// The messages of a claimed page that may still go now. The gate decided each when it was queued; a retry, an
    /// admin's `outbox retry` or a send queued again after a crash goes later, so at the moment of sending the opt-out
    /// ledger is read again (a stop since then cancels the message) and the customer's contact calendar is applied
    /// again (outside it, the message waits for the next allowed moment). CRM leads and webhooks are for staff.
    func sendable(_ page: [OutboxMessage], now: Date) async throws -> [OutboxMessage] {
        let (stopped, places) = try await database.sendChecks(page)
        var cancel: [(id: Int64, reason: String)] = []
        var later: [(id: Int64, until: Date, reason: String)] = []
        var keep: [OutboxMessage] = []
        keep.reserveCapacity(page.count)
        // One calendar per store, zone, state and area code: a page's customers share few of them. A group's store
        // keeps its own, tighter rules (`inStore`).
        var calendars: [String: ContactCalendar] = [:]
        for m in page {
            if let why = stopped[m.id] {
                cancel.append((m.id, why))
                continue
            }
            if let place = places[m.id] {
                let store = storeViewBox == nil ? "" : place.store ?? ""
                let zoneID = CustomerTimeZone.zone(
                    state: place.state, zip: place.zip, dealershipZone: menu.dealership(of: store).timeZone)
                let key = "\(store)|\(zoneID)|\(place.state ?? "")|" + (AreaCodes.areaCode(of: place.phone).map { "\($0)" } ?? "")
                let calendar: ContactCalendar
                if let known = calendars[key] {
                    calendar = known
                } else {
                    let d = inStore(store)
                    calendar = ContactCalendar(
                        rulebook: d.gate.rules.rulebook(.shipped), home: d.customerZone(state: place.state, zip: place.zip),
                        state: place.state, phone: place.phone)
                    calendars[key] = calendar
                }
                let noun = m.channel == .sms ? "texts" : "emails"
                if calendar.block(at: now, noun: noun, quiet: true) != nil {
                    let next = calendar.nextAllowed(atOrAfter: now, noun: noun)
                    let until = next.at ?? now.addingTimeInterval(86_400)
                    later.append((m.id, until, "waiting: \(next.reason ?? "outside the customer's contact hours")"))
                    continue
                }
            }
            keep.append(m)
        }
        try await database.cancelClaimed(cancel, now: now)
        try await database.deferClaimed(later, now: now)
        return keep
    }
}
