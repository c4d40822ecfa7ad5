import AfterdeskCore
import Foundation

/// One task as its page shows it: the customer to call, the vehicle, each declined product with the desk's quote and
/// reason, why now, and the messages so far. Contact data is for the page only: never logged.
public struct TaskDetail: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public var dealNumber: String
        public var product: String
        public var quotedCents: Int64?
        public var declineReason: String?
        public var touchReason: String
        public var basicExpiresOn: LocalDate?
        public var basicLimit: String?
        public var eligibleUntil: LocalDate?
        /// A presumed decline: nobody quoted `quotedCents` (it is the menu's price), so no "quoted" is said.
        public var presumed: Bool = false
        /// For the price that applies on the day (`priceQuote`): miles at sale, the rate, the vehicle's dates.
        public var odometer: Int = 0
        public var milesPerYear: Int? = nil
        public var inServiceDate: LocalDate? = nil
        public var contractDate: LocalDate? = nil
        public var deliveryDate: LocalDate? = nil

        public init(
            dealNumber: String, product: String, quotedCents: Int64? = nil, declineReason: String? = nil, touchReason: String,
            basicExpiresOn: LocalDate? = nil, basicLimit: String? = nil, eligibleUntil: LocalDate? = nil, presumed: Bool = false,
            odometer: Int = 0, milesPerYear: Int? = nil, inServiceDate: LocalDate? = nil, contractDate: LocalDate? = nil,
            deliveryDate: LocalDate? = nil
        ) {
            self.dealNumber = dealNumber
            self.product = product
            self.quotedCents = quotedCents
            self.declineReason = declineReason
            self.touchReason = touchReason
            self.basicExpiresOn = basicExpiresOn
            self.basicLimit = basicLimit
            self.eligibleUntil = eligibleUntil
            self.presumed = presumed
            self.odometer = odometer
            self.milesPerYear = milesPerYear
            self.inServiceDate = inServiceDate
            self.contractDate = contractDate
            self.deliveryDate = deliveryDate
        }
    }
    public struct Message: Sendable, Equatable {
        public var at: Date
        public var inbound: Bool
        public var channel: OutboxChannel
        public var text: String
        public var status: String

        public init(
            at: Date, inbound: Bool, channel: OutboxChannel, text: String, status: String
        ) {
            self.at = at
            self.inbound = inbound
            self.channel = channel
            self.text = text
            self.status = status
        }
    }
    public var task: TaskRow
    public var store: String
    public var timeZone: String
    public var firstName: String
    /// The customer's address state and ZIP, for their clock and the state calendar (the calling window).
    public var state: String? = nil
    public var zip: String? = nil
    /// The customer agreed to texts and has not asked staff to stop: only then does the page offer a text.
    public var maySMS: Bool
    public var vehicle: String
    public var vin: String
    public var termMonths: Int?
    public var aprMilli: Int?
    public var firstPaymentDate: LocalDate?
    public var items: [Item]
    public var history: [Message]

    public init(
        task: TaskRow, store: String, timeZone: String, firstName: String, state: String? = nil, zip: String? = nil, maySMS: Bool,
        vehicle: String, vin: String, termMonths: Int? = nil, aprMilli: Int? = nil, firstPaymentDate: LocalDate? = nil, items: [Item],
        history: [Message]
    ) {
        self.task = task
        self.store = store
        self.timeZone = timeZone
        self.firstName = firstName
        self.state = state
        self.zip = zip
        self.maySMS = maySMS
        self.vehicle = vehicle
        self.vin = vin
        self.termMonths = termMonths
        self.aprMilli = aprMilli
        self.firstPaymentDate = firstPaymentDate
        self.items = items
        self.history = history
    }
}
