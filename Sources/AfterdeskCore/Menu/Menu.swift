import Foundation

/// The dealership's F&I menu: which products it sells and how a declined one is followed up.
/// Loaded from `menus/default.yaml`; see docs/menus.md for every field.
public struct Menu: Sendable, Equatable {
    public var dealership: Dealership
    /// Share of deals held out from any follow-up, in percent (0–50), to measure what happens anyway.
    public var holdoutPercent: Int
    /// A sale of a declined product counts as recovered when it falls within this many days of the contract date, and
    /// a touch gets the credit when it was delivered within this many days before the sale (docs/reporting.md).
    public var attributionDays: Int
    /// `measure_by`: how the report measures a recovery (`window`, the default, or `horizon`; docs/reporting.md).
    public var measureBy = MeasureBy.window
    /// `horizon_cap_days`: in horizon mode, no sale counts later than this many days after the contract.
    public var horizonCapDays: Int?
    /// `holdout_months`: a held-out deal is followed up from this many months after its contract (48 unless set).
    public var holdoutMonths = MeasurementRule.defaultHoldoutMonths
    /// `anytime_window`: what closes a decline's unit of the anytime interval (120 days unless set, or `horizon`).
    public var anytimeWindow = AnytimeWindow.days(120)
    public var depreciation: Depreciation
    /// Month and day the first pothole season starts in the dealership's region.
    public var potholeSeasonStart: MonthDay
    public var products: [MenuProduct]
    /// The state calendar in force: the shipped rules (`menus/contact-rules.yaml`) with the menu's `contact_rules`.
    public var contactRules: ContactRulebook = .shipped
    /// What `menu check` warns about: the menu loads, but a field is of a previous release or misleads.
    public var warnings: [MenuIssue] = []
    /// A group's rooftops by store code (`stores:`), each the group's menu with the store's own fields laid over it.
    /// Empty for a single store's menu: a group of one, whose every deal reads this menu.
    public var stores: [String: Menu] {
        get { storeMenus?.byCode ?? [:] }
        set { storeMenus = newValue.isEmpty ? nil : StoreMenus(newValue) }
    }
    /// `stores`, boxed: a menu of one store carries no dictionary of menus in its value (copying a menu stays cheap).
    private var storeMenus: StoreMenus?

    public init(
        dealership: Dealership, holdoutPercent: Int, depreciation: Depreciation,
        potholeSeasonStart: MonthDay, products: [MenuProduct], attributionDays: Int = 120
    ) {
        self.dealership = dealership
        self.holdoutPercent = holdoutPercent
        self.attributionDays = attributionDays
        self.depreciation = depreciation
        self.potholeSeasonStart = potholeSeasonStart
        self.products = products
    }

    public func product(_ code: String) -> MenuProduct? { products.first { $0.code == code } }

    /// The menu a deal of `store` reads: the store's own, or the group's for a store the menu does not name.
    public func store(_ code: String) -> Menu { storeMenus?.byCode[code] ?? self }

    /// `code`'s product as `store` sells it (nil when the store does not sell it), without copying a menu.
    public func product(_ code: String, store: String) -> MenuProduct? {
        if let own = storeMenus?.byCode[store] { return own.product(code) }
        return product(code)
    }

    /// Every product as any store sells it: the group's, then each store's own version, stores in code order (a product
    /// may appear more than once).
    public var productsOfEveryStore: [MenuProduct] {
        products + stores.sorted { $0.key < $1.key }.flatMap { $0.value.products }
    }

    /// The menu an import reads deals with: the group's products, then the stores' own products (so their columns are
    /// read). A store's own product is never presumed declined from a DMS export: other stores' desks do not present it.
    public var importing: Menu {
        guard !stores.isEmpty else { return self }
        var m = self
        var known = Set(products.map(\.code))
        for p in productsOfEveryStore where !known.contains(p.code) {
            var own = p
            own.presentedOnEveryDeal = false
            m.products.append(own)
            known.insert(p.code)
        }
        return m
    }

    /// The holdout share of `store`'s deals (a group's store may hold out its own share), without copying a menu.
    public func holdoutPercent(of store: String) -> Int {
        storeMenus?.byCode[store]?.holdoutPercent ?? holdoutPercent
    }

    /// The latest calendar date at `now` in any of the group's stores: a deal dated today in the group's easternmost
    /// store is not in the future (one store: its date).
    public func latestToday(at now: Date) -> LocalDate {
        stores.values.reduce(LocalDate(now, in: dealership.zone)) { max($0, LocalDate(now, in: $1.dealership.zone)) }
    }

    /// The dealership of `store`: its name, address, time zone, phone and hours.
    public func dealership(of store: String) -> Dealership { storeMenus?.byCode[store]?.dealership ?? dealership }

    /// The menu product a DMS line item belongs to, by its name (`MBIName`, `Warranty 1 Name`,
    /// fee-option names): the first product, in menu order, one of whose `dms_names` occurs in it.
    public func product(matchingDMSName name: String) -> MenuProduct? {
        let folded = " " + Menu.fold(name) + " "
        guard folded.count > 2 else { return nil }
        return products.first { p in p.dmsNames.contains { folded.contains(" " + Menu.fold($0) + " ") } }
    }

    /// Lower-cased words separated by single spaces, `&` kept as a word, so "Tire&Wheel" and
    /// "TIRE & WHEEL" are the same. Matching is on whole words: "gap" does not match "Singapore".
    static func fold(_ s: String) -> String {
        var words: [String] = []
        var current = ""
        for ch in s.lowercased() {
            if ch.isLetter || ch.isNumber {
                current.append(ch)
                continue
            }
            if !current.isEmpty {
                words.append(current)
                current = ""
            }
            if ch == "&" { words.append("&") }
        }
        if !current.isEmpty { words.append(current) }
        return words.joined(separator: " ")
    }
}

/// A group's store menus, by code (`Menu.stores`).
final class StoreMenus: Sendable, Equatable {
    let byCode: [String: Menu]
    init(_ byCode: [String: Menu]) { self.byCode = byCode }
    static func == (a: StoreMenus, b: StoreMenus) -> Bool { a === b || a.byCode == b.byCode }
}

public struct Dealership: Sendable, Equatable {
    public var name: String
    /// The store's time zone, checked when the menu was read: calendar dates are this zone's.
    public private(set) var zone: TimeZone
    /// Its IANA name as the menu gives it, e.g. `America/Chicago` (Foundation calls `UTC` "GMT": this keeps the name).
    public private(set) var timeZone: String
    public var address: String
    public var phone: String?
    /// When the store is open: the clock of an urgent task from the customer's offer page.
    public var hours: StoreHours

    public init(name: String, zone: TimeZone, address: String, phone: String? = nil, hours: StoreHours = .standard) {
        self.name = name
        self.zone = zone
        timeZone = zone.identifier
        self.address = address
        self.phone = phone
        self.hours = hours
    }

    /// Sets the zone by its IANA name, when the system knows it.
    public mutating func setZone(named name: String) throws(UnknownTimeZone) {
        zone = try TimeZone.store(name)
        timeZone = name
    }
}

public struct MonthDay: Sendable, Equatable, CustomStringConvertible {
    public var month: Int
    public var day: Int
    public init?(month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= LocalDate.daysIn(month: month, year: 2001) else { return nil }
        self.month = month
        self.day = day
    }
    public var description: String { (month < 10 ? "0" : "") + "\(month)-" + (day < 10 ? "0" : "") + "\(day)" }
}

/// Share of the vehicle's price remaining after a number of months; linear between points.
public struct Depreciation: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        public var month: Int
        /// Percent of the value at contract that remains, exact to a hundredth of a percent (`80.00` is 8000).
        public var remainingBasisPoints: Int
        public init(month: Int, remainingBasisPoints: Int) {
            self.month = month
            self.remainingBasisPoints = remainingBasisPoints
        }
    }
    public var new: [Point]
    public var used: [Point]
    public init(new: [Point], used: [Point]) {
        self.new = new
        self.used = used
    }
}

public enum ProductKind: String, Sendable, Equatable, CaseIterable {
    case serviceContract = "service_contract"
    case gap
    case tireWheel = "tire_wheel"
    case appearance
    case maintenance
    case other
}

public struct MenuProduct: Sendable, Equatable {
    public var code: String
    public var name: String
    public var kind: ProductKind
    public var provider: String
    public var retailPrice: Money
    public var dealerCost: Money
    /// When only a DMS export is known: was this product presented on every deal (so not sold means declined)?
    public var presentedOnEveryDeal: Bool
    /// A decline quoted above this goes to a person instead of an automated message.
    public var taskThreshold: Money?
    /// GAP only: leases include GAP, so a lease never gets a GAP follow-up.
    public var includedWithLease: Bool
    public var eligibility: Eligibility
    public var timing: Timing
    /// Names this product goes by in DMS exports (matched case-insensitively as part of the name).
    public var dmsNames: [String]
    /// Line of the product in its menu file, for messages.
    public var line: Int
    /// What the product covers in a sentence or two, in the menu's words: shown on the customer's offer page.
    public var coverage: String?
    /// Days a product rests after the customer presses "Not now" on its offer page.
    public var pauseDays: Int
    /// GAP only: how it is sold (`gap:`); a GAP product always has one once loaded (`GAPRules.undeclared` without it).
    public var gap: GAPRules?
    /// Prices by term and vehicle class (`rate_card:`), when the menu gives them.
    public var rateCard: RateCard?
    /// The provider's installment plan after the sale (`installments:`), when it has one.
    public var installments: Installments?
    /// The commission and spiff paid on a sale after the desk (`commission:`), when the menu gives one.
    public var commission: Commission?
    /// The product's cancellation default and contract term (`cancellation:`), when the menu gives them.
    public var cancellation: CancellationTerms?

    public init(
        code: String, name: String, kind: ProductKind, provider: String, retailPrice: Money, dealerCost: Money,
        presentedOnEveryDeal: Bool = true, taskThreshold: Money? = nil, includedWithLease: Bool = false,
        eligibility: Eligibility = Eligibility(), timing: Timing, dmsNames: [String] = [], line: Int = 0,
        coverage: String? = nil, pauseDays: Int = 30
    ) {
        self.coverage = coverage
        self.pauseDays = pauseDays
        self.code = code
        self.name = name
        self.kind = kind
        self.provider = provider
        self.retailPrice = retailPrice
        self.dealerCost = dealerCost
        self.presentedOnEveryDeal = presentedOnEveryDeal
        self.taskThreshold = taskThreshold
        self.includedWithLease = includedWithLease
        self.eligibility = eligibility
        self.timing = timing
        self.dmsNames = dmsNames
        self.line = line
        self.gap = kind == .gap ? .undeclared : nil
    }
}

/// After the post-sale window closes, nothing is sent for the product.
public struct Eligibility: Sendable, Equatable {
    /// Days after the contract date the product can still be bought (0: only at signing, so no follow-up).
    public var daysFromContract: Int?
    /// Vehicle age cap, from its in-service date.
    public var maxVehicleAgeYears: Int?
    /// Odometer cap.
    public var maxOdometer: Int?
    /// The plans the product can be bought as after the sale, best first. When given, they alone decide (the fields
    /// above are then unset).
    public var classes: [PlanClass]

    /// `untilBasicWarrantyExpires` is the previous release's rule: it becomes one `manufacturer_new` class with the limits.
    public init(
        daysFromContract: Int? = nil, untilBasicWarrantyExpires: Bool = false,
        maxVehicleAgeYears: Int? = nil, maxOdometer: Int? = nil, classes: [PlanClass] = []
    ) {
        if untilBasicWarrantyExpires && classes.isEmpty {
            self.classes = [
                PlanClass(
                    kind: .manufacturerNew, daysFromContract: daysFromContract, maxVehicleAgeYears: maxVehicleAgeYears,
                    maxOdometer: maxOdometer)
            ]
            return
        }
        self.classes = classes
        self.daysFromContract = daysFromContract
        self.maxVehicleAgeYears = maxVehicleAgeYears
        self.maxOdometer = maxOdometer
    }
}

public enum Anchor: String, Sendable, Equatable, CaseIterable {
    /// Days counted from delivery only.
    case delivery
    /// The projected end of the factory basic warranty (time or miles).
    case basicWarrantyExpiry = "basic_warranty_expiry"
    /// The next factory warranty still running at delivery: the basic warranty, else the powertrain warranty (a used
    /// car sold out of basic warranty); none when both have ended.
    case warrantyExpiry = "warranty_expiry"
    /// The end of GAP exposure: the month the projected balance drops to the projected value.
    case loanToValue = "loan_to_value"
    /// The first pothole season after delivery.
    case season
    /// The first scheduled service, by time or miles, whichever comes first.
    case firstService = "first_service"
}

public struct Timing: Sendable, Equatable {
    public var anchor: Anchor
    public var touches: [TouchRule]
    /// For the `first_service` anchor: months and miles to the first scheduled service.
    public var firstServiceMonths: Int?
    public var firstServiceMiles: Int?

    public init(anchor: Anchor, touches: [TouchRule], firstServiceMonths: Int? = nil, firstServiceMiles: Int? = nil) {
        self.anchor = anchor
        self.touches = touches
        self.firstServiceMonths = firstServiceMonths
        self.firstServiceMiles = firstServiceMiles
    }
}

public struct TouchRule: Sendable, Equatable {
    public enum Offset: Sendable, Equatable {
        case afterDelivery(days: Int)
        case beforeAnchor(days: Int)
        case afterAnchor(days: Int)
        /// Days after the contract date (a dealer GAP waiver's re-contract task in the funding window).
        case afterContract(days: Int)
        /// GAP timed by loan-to-value: this percent of the way from the contract to the end of the exposure (or to the
        /// close of the window to buy, when that comes first).
        case percentOfExposure(Int)
    }
    public enum Action: String, Sendable, Equatable {
        /// An automated message on a consented channel (SMS, then email), or a task when there is none.
        case message
        /// Always a task for a person.
        case task
    }
    public var name: String
    public var offset: Offset
    public var action: Action
    /// Template name; defaults to `<product code>-<touch name>`.
    public var template: String
    /// Only when the plan class open on the touch's day is one of these (a milestone for a car whose follow-up no
    /// warranty times); nil: whatever the class.
    public var classes: Set<PlanClass.Kind>?

    public init(name: String, offset: Offset, action: Action = .message, template: String, classes: Set<PlanClass.Kind>? = nil) {
        self.classes = classes
        self.name = name
        self.offset = offset
        self.action = action
        self.template = template
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
