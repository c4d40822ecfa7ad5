import Foundation

/// One deal as follow-up sees it: the record (without the buyer's name, contact details, VIN or staff), the odometer
/// readings taken after delivery, and the stops recorded for it.
public struct FollowUpDeal: Sendable {
    public let record: DealRecord
    public let laterReadings: [OdometerReading]
    /// Stops recorded for the deal: product code (or "*") → kinds.
    public var stops: [String: [StopKind]]
    /// Staff recorded "stop contacting me" for its customer.
    public var contactStopped: Bool
    /// The deal's recorded arm (true: held out), nil when it was never planned.
    public var heldOut: Bool?
    /// Touches already taken for the deal's products: product code → touch name → when it was sent (or its task made).
    public var sent: [String: [String: Date]]

    public init(
        record: DealRecord, laterReadings: [OdometerReading], stops: [String: [StopKind]] = [:], contactStopped: Bool = false,
        heldOut: Bool? = nil, sent: [String: [String: Date]] = [:]
    ) {
        self.sent = sent
        self.record = record
        self.laterReadings = laterReadings
        self.stops = stops
        self.contactStopped = contactStopped
        self.heldOut = heldOut
    }

    /// The declines of a customer's deals that may be followed up, and what the customer allows: planning and
    /// `explain` both take them from here, so explain never promises a touch planning would not make. Unwound deals,
    /// products bought since, stops ("vehicle sold", "not interested") and "stop contacting me" leave them out.
    public static func followUp(_ deals: [FollowUpDeal], menu: Menu) -> (declines: [DeclineFacts], permissions: ContactPermissions) {
        // In one pass, without the lists between (once per customer planned).
        var declines: [DeclineFacts] = []
        for d in deals where d.record.status == .finalized {
            for p in d.record.products where p.outcome == .declined && d.stopReason(menu.product(p.code, store: d.record.store)) == nil {
                declines.append(
                    DeclineFacts(
                        store: d.record.store, dealNumber: d.record.dealNumber, product: p, deal: d.record,
                        laterReadings: d.laterReadings, heldOut: d.heldOut, sent: d.sent.isEmpty ? [:] : d.sent[p.code] ?? [:]))
            }
        }
        let c = (declines.first?.deal ?? deals.first?.record)?.consent ?? Consent()
        return (declines, ContactPermissions(sms: c.sms, email: c.email, phone: c.phone))
    }

    /// Why follow-up of `product` stopped for good, or nil.
    public func stopReason(_ product: MenuProduct?) -> String? {
        guard let product else { return nil }
        if contactStopped { return "the customer asked to stop all contact" }
        if stops.isEmpty { return nil }
        let kinds = (stops[product.code] ?? []) + (stops["*"] ?? [])
        return kinds.first { $0.applies(to: product.kind) }?.reason
    }
}

/// Every deal of one customer, as planning sees them (with stops and later readings): what `explain` works from.
public struct CustomerDeals: Sendable {
    /// The deal asked about, and its store.
    public let dealNumber: String
    public let store: String
    public let deals: [FollowUpDeal]
    public var records: [DealRecord] { deals.map(\.record) }

    public init(dealNumber: String, store: String, deals: [FollowUpDeal]) {
        self.dealNumber = dealNumber
        self.store = store
        self.deals = deals
    }
}
