import AfterdeskCore
import Foundation

/// An offer link as its page needs it: what the message said, the customer's first name and vehicle, and the facts
/// that decide whether it still works (docs/offers.md).
public struct StoredOfferLink: Sendable, Equatable {
    public var id: Int64
    public var storeID: Int64
    public var storeCode: String
    public var customerID: Int64
    public var dealID: Int64
    public var dealNumber: String
    public var product: String
    public var channel: OutboxChannel
    public var reason: String
    public var quoted: Money
    public var eligibleUntil: LocalDate?
    public var createdAt: Date
    public var expiresAt: Date
    public var firstName: String
    public var lastName: String
    public var vehicleYear: Int
    public var vehicleMake: String
    public var vehicleModel: String
    /// The last four characters of the VIN: all of it the page may show.
    public var vinLast4: String
    public var productBought: Bool
    public var dealUnwound: Bool
    /// Opted out of the link's channel, or "stop contacting me" recorded by staff.
    public var optedOut: Bool
    public var stops: [StopKind]
    public var salespersonID: Int64?
    public var fiManagerID: Int64?
    /// An open task already made from this link (a second press makes no second task).
    public var openTaskID: Int64?

    public init(
        id: Int64, storeID: Int64, storeCode: String, customerID: Int64, dealID: Int64, dealNumber: String, product: String,
        channel: OutboxChannel, reason: String, quoted: Money, eligibleUntil: LocalDate? = nil, createdAt: Date, expiresAt: Date,
        firstName: String, lastName: String, vehicleYear: Int, vehicleMake: String, vehicleModel: String, vinLast4: String,
        productBought: Bool, dealUnwound: Bool, optedOut: Bool, stops: [StopKind], salespersonID: Int64? = nil, fiManagerID: Int64? = nil,
        openTaskID: Int64? = nil
    ) {
        self.id = id
        self.storeID = storeID
        self.storeCode = storeCode
        self.customerID = customerID
        self.dealID = dealID
        self.dealNumber = dealNumber
        self.product = product
        self.channel = channel
        self.reason = reason
        self.quoted = quoted
        self.eligibleUntil = eligibleUntil
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.firstName = firstName
        self.lastName = lastName
        self.vehicleYear = vehicleYear
        self.vehicleMake = vehicleMake
        self.vehicleModel = vehicleModel
        self.vinLast4 = vinLast4
        self.productBought = productBought
        self.dealUnwound = dealUnwound
        self.optedOut = optedOut
        self.stops = stops
        self.salespersonID = salespersonID
        self.fiManagerID = fiManagerID
        self.openTaskID = openTaskID
    }
}

/// A button pressed on an offer page, as the store records it in one transaction.
public struct OfferPress: Sendable, Equatable {
    public var linkID: Int64
    public var kind: OfferEventKind
    /// The task to create unless the link already has an open one.
    public var task: NewTask?
    /// "Not now": the first day the product may be raised again.
    public var pauseUntil: LocalDate?
    public init(linkID: Int64, kind: OfferEventKind, task: NewTask? = nil, pauseUntil: LocalDate? = nil) {
        self.linkID = linkID
        self.kind = kind
        self.task = task
        self.pauseUntil = pauseUntil
    }
}

/// What an offer press did.
public struct OfferPressResult: Sendable, Equatable {
    public var taskID: Int64?
    /// False when the link already had an open task, which the press joined.
    public var taskCreated: Bool

    public init(
        taskID: Int64? = nil, taskCreated: Bool
    ) {
        self.taskID = taskID
        self.taskCreated = taskCreated
    }
}
