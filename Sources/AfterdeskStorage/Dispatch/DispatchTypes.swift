import AfterdeskCore
import Foundation

/// A customer's contact facts as they are at the moment of sending.
public struct CustomerContact: Sendable, Equatable {
    public var id: Int64
    public var firstName: String
    public var lastName: String
    public var email: String?
    public var phone: String?
    public var state: String?
    public var zip: String?
    public var consent: ContactPermissions
    public var contactStopped: Bool
    /// The phone is stopped for calls in the opt-out ledger (a DMS block, staff's "wrong number", an admin).
    public var phoneStopped: Bool = false
    /// The email address's consent was recorded by staff with its evidence (`consent add`, /admin/opt-outs): affirmative
    /// consent under CAN-SPAM. A DMS flag is not (15 U.S.C. §7702(1)): such email says it is an advertisement.
    public var emailConsentAffirmative: Bool = false

    public init(
        id: Int64, firstName: String, lastName: String, email: String? = nil, phone: String? = nil, state: String? = nil,
        zip: String? = nil, consent: ContactPermissions, contactStopped: Bool, phoneStopped: Bool = false,
        emailConsentAffirmative: Bool = false
    ) {
        self.id = id
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phone = phone
        self.state = state
        self.zip = zip
        self.consent = consent
        self.contactStopped = contactStopped
        self.phoneStopped = phoneStopped
        self.emailConsentAffirmative = emailConsentAffirmative
    }
}

/// One product of a due touch, with the facts its message and the gate need.
public struct DueItem: Sendable, Equatable {
    public var dealID: Int64
    public var dealNumber: String
    public var product: String
    public var touchName: String
    public var template: String
    public var reason: String
    public var eligibleUntil: LocalDate?
    public var dealUnwound: Bool
    public var productSold: Bool
    public var stops: [StopKind]
    public var quotedCents: Int64?
    public var basicExpiresOn: LocalDate?
    public var basicLimit: String?
    public var milesPerYear: Int?
    public var gapExposureEndsOn: LocalDate?
    public var vehicleYear: Int
    public var vehicleMake: String
    public var vehicleModel: String
    public var vin: String
    public var vehicleIsNew: Bool
    public var contractDate: LocalDate
    public var deliveryDate: LocalDate
    public var salespersonID: Int64?
    public var fiManagerID: Int64?
    /// "Not now" on the product's offer page: nothing about it before this day.
    public var pausedUntil: LocalDate? = nil
    /// The plan's class windows as stored (`EligibilityWindow.ClassWindow.encode`): read with the menu in force.
    public var planClasses: String? = nil
    public var powertrainExpiresOn: LocalDate? = nil
    public var powertrainLimit: String? = nil
    public var freeMaintenanceEndsOn: LocalDate? = nil
    /// Sold certified pre-owned: `basicExpiresOn` may be the end of the maker's certified coverage, not the factory's.
    public var vehicleIsCertified = false
    /// The decline is presumed (a DMS export lists only what was sold): nobody quoted a price (`dp.presumed`).
    public var presumed: Bool = false
    /// Miles at sale, the reading on `deliveryDate` (`d.odometer`).
    public var odometer: Int = 0
    /// The vehicle's in-service date (`v.in_service_date`): its age for a rate card.
    public var inServiceDate: LocalDate = .first
    /// The amount financed (`d.amount_financed_cents`); nil for a cash deal or when the export had none.
    public var amountFinancedCents: Int64? = nil
    /// The vehicle's value at contract (`d.vehicle_value_cents`).
    public var vehicleValueCents: Int64 = 0

    public init(
        dealID: Int64, dealNumber: String, product: String, touchName: String, template: String, reason: String,
        eligibleUntil: LocalDate? = nil, dealUnwound: Bool, productSold: Bool, stops: [StopKind], quotedCents: Int64? = nil,
        basicExpiresOn: LocalDate? = nil, basicLimit: String? = nil, milesPerYear: Int? = nil, gapExposureEndsOn: LocalDate? = nil,
        vehicleYear: Int, vehicleMake: String, vehicleModel: String, vin: String, vehicleIsNew: Bool, contractDate: LocalDate,
        deliveryDate: LocalDate, salespersonID: Int64? = nil, fiManagerID: Int64? = nil, pausedUntil: LocalDate? = nil,
        planClasses: String? = nil, powertrainExpiresOn: LocalDate? = nil, powertrainLimit: String? = nil,
        freeMaintenanceEndsOn: LocalDate? = nil, presumed: Bool = false, odometer: Int = 0, inServiceDate: LocalDate = .first,
        amountFinancedCents: Int64? = nil, vehicleValueCents: Int64 = 0
    ) {
        self.dealID = dealID
        self.dealNumber = dealNumber
        self.product = product
        self.touchName = touchName
        self.template = template
        self.reason = reason
        self.eligibleUntil = eligibleUntil
        self.dealUnwound = dealUnwound
        self.productSold = productSold
        self.stops = stops
        self.quotedCents = quotedCents
        self.basicExpiresOn = basicExpiresOn
        self.basicLimit = basicLimit
        self.milesPerYear = milesPerYear
        self.gapExposureEndsOn = gapExposureEndsOn
        self.vehicleYear = vehicleYear
        self.vehicleMake = vehicleMake
        self.vehicleModel = vehicleModel
        self.vin = vin
        self.vehicleIsNew = vehicleIsNew
        self.contractDate = contractDate
        self.deliveryDate = deliveryDate
        self.salespersonID = salespersonID
        self.fiManagerID = fiManagerID
        self.pausedUntil = pausedUntil
        self.planClasses = planClasses
        self.powertrainExpiresOn = powertrainExpiresOn
        self.powertrainLimit = powertrainLimit
        self.freeMaintenanceEndsOn = freeMaintenanceEndsOn
        self.presumed = presumed
        self.odometer = odometer
        self.inServiceDate = inServiceDate
        self.amountFinancedCents = amountFinancedCents
        self.vehicleValueCents = vehicleValueCents
    }
}

/// A planned touch whose time has come.
public struct DueTouch: Sendable, Equatable {
    public var id: Int64
    public var storeID: Int64
    public var storeCode: String
    public var action: TouchAction
    public var dueAt: Date
    public var customer: CustomerContact
    public var items: [DueItem]
    /// When the customer was last touched (sent messages, created tasks) in the last 30 days.
    public var recentTouches: [Date]
    public var lastPurchase: LocalDate
    public var phoneOnDoNotCall: Bool
    /// The customer has an open reply task: what they wrote waits for a person.
    public var awaitingReply = false
    /// Every SMS to the customer in the store's outbox in the last two days, whatever wrote it (automated or staff).
    public var recentTexts: [Date] = []

    public init(
        id: Int64, storeID: Int64, storeCode: String, action: TouchAction, dueAt: Date, customer: CustomerContact, items: [DueItem],
        recentTouches: [Date], lastPurchase: LocalDate, phoneOnDoNotCall: Bool, recentTexts: [Date] = []
    ) {
        self.id = id
        self.storeID = storeID
        self.storeCode = storeCode
        self.action = action
        self.dueAt = dueAt
        self.customer = customer
        self.items = items
        self.recentTouches = recentTouches
        self.lastPurchase = lastPurchase
        self.phoneOnDoNotCall = phoneOnDoNotCall
        self.recentTexts = recentTexts
    }
}

/// A message to record in the outbox, before it is sent.
public struct NewOutboxMessage: Sendable, Equatable {
    public var channel: OutboxChannel
    public var idempotencyKey: String
    public var recipient: String
    public var subject: String?
    public var body: String
    public var html: String?
    /// Extra headers as JSON (List-Unsubscribe for email, signature for webhooks).
    public var headers: String?
    /// The offer page link the message carries, stored with it.
    public var offerLink: NewOfferLink?
    public init(
        channel: OutboxChannel, idempotencyKey: String, recipient: String, subject: String? = nil, body: String,
        html: String? = nil, headers: String? = nil
    ) {
        self.channel = channel
        self.idempotencyKey = idempotencyKey
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.html = html
        self.headers = headers
    }
}

/// An offer page link (`/o/{token}`) to store with the message that carries it: only the token's hash is kept.
public struct NewOfferLink: Sendable, Equatable {
    public var tokenHash: String
    public var dealID: Int64
    public var product: String
    public var reason: String
    public var quotedCents: Int64
    public var eligibleUntil: LocalDate?
    public var expiresAt: Date
    public init(
        tokenHash: String, dealID: Int64, product: String, reason: String, quotedCents: Int64, eligibleUntil: LocalDate?,
        expiresAt: Date
    ) {
        self.tokenHash = tokenHash
        self.dealID = dealID
        self.product = product
        self.reason = reason
        self.quotedCents = quotedCents
        self.eligibleUntil = eligibleUntil
        self.expiresAt = expiresAt
    }
}

/// A task to create for a person.
public struct NewTask: Sendable, Equatable {
    public var storeID: Int64
    public var customerID: Int64
    public var kind: TaskKind
    public var title: String
    public var detail: String
    public var assigneeID: Int64?
    public var dueAt: Date
    public var slaAt: Date
    public init(
        storeID: Int64, customerID: Int64, kind: TaskKind, title: String, detail: String, assigneeID: Int64?, dueAt: Date, slaAt: Date
    ) {
        self.storeID = storeID
        self.customerID = customerID
        self.kind = kind
        self.title = title
        self.detail = detail
        self.assigneeID = assigneeID
        self.dueAt = dueAt
        self.slaAt = slaAt
    }
}

/// What dispatch decided for one due touch; stored in one transaction per page of touches.
public enum DispatchRecord: Sendable, Equatable {
    /// Messages (and for a task, the task and its CRM deliveries) recorded; the touch is sent.
    case dispatched(touchID: Int64, customerID: Int64, messages: [NewOutboxMessage], task: NewTask?, dropped: [String])
    case moved(touchID: Int64, to: Date, reason: String)
    case skipped(touchID: Int64, reason: String)
}

/// Counts of one dispatch pass.
public struct DispatchSummary: Codable, Sendable, Equatable {
    public var due = 0
    public var dispatched = 0
    public var sms = 0
    public var email = 0
    public var tasks = 0
    public var moved = 0
    /// Of `moved`, those a state's rule moved (the state calendar: hours, days, texts in 24 hours).
    public var movedByStateRules = 0
    public var skipped = 0
    public var delivered = 0
    public var failed = 0
    public var dead = 0
    public var reconciled = 0
    public var escalated = 0
    public init() {}

    /// Adds the counts of another pass.
    public mutating func add(_ o: DispatchSummary) {
        due += o.due
        dispatched += o.dispatched
        sms += o.sms
        email += o.email
        movedByStateRules += o.movedByStateRules
        tasks += o.tasks
        moved += o.moved
        skipped += o.skipped
        delivered += o.delivered
        failed += o.failed
        dead += o.dead
        reconciled += o.reconciled
        escalated += o.escalated
    }
}

extension DispatchRecord {
    /// The record with `link` stored beside its customer message (the first SMS or email).
    public func carrying(_ link: NewOfferLink?) -> DispatchRecord {
        guard let link, case .dispatched(let touch, let customer, var messages, let task, let dropped) = self,
            let i = messages.firstIndex(where: { $0.channel == .sms || $0.channel == .email })
        else { return self }
        messages[i].offerLink = link
        return .dispatched(touchID: touch, customerID: customer, messages: messages, task: task, dropped: dropped)
    }
}

/// When a text of the outbox counts against a state's cap on texts in 24 hours (`DueTouch.recentTexts`): one sent, at
/// its sending; one not yet sent (queued — a retry waiting out a provider's failures among them — or in flight), as
/// going now, however long ago it was queued, and even if another server queued it after this run's `now`, since it
/// may go at any moment: counted at its queueing, a text queued days ago would leave room for another decided now, and
/// the two could reach the customer minutes apart. A dead one (never sent) at its queueing. The stores read every text
/// sent, or else queued, in the last two days (`COALESCE(sent_at, created_at)`: a retry queued days ago and sent an
/// hour ago is one) and every unsent one.
public enum TextCount {
    public static func at(status: String, sentOrCreated: Date, now: Date) -> Date {
        status == OutboxStatus.queued.rawValue || status == OutboxStatus.sending.rawValue ? now : sentOrCreated
    }
}
