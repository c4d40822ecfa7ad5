/// Factory warranties by make and model year, from `menus/warranties.yaml` (format in docs/menus.md).
public struct WarrantyTable: Sendable, Equatable {
    /// Years and miles, whichever comes first.
    public struct Coverage: Sendable, Equatable {
        public var years: Int
        public var miles: Int
        public init(years: Int, miles: Int) {
            self.years = years
            self.miles = miles
        }
    }

    /// Where a fact comes from: its sources and the day they were read, or `unverified` (all of it, or the parts named).
    public struct Provenance: Sendable, Equatable {
        public var sources: [String]
        public var checked: LocalDate?
        /// `unverified: true`: nothing of the entry was checked against a source.
        public var unverified: Bool
        /// `unverified: [powertrain, …]`: these parts were not checked although the rest was.
        public var unverifiedParts: [String]
        public init(sources: [String] = [], checked: LocalDate? = nil, unverified: Bool = false, unverifiedParts: [String] = []) {
            self.sources = sources
            self.checked = checked
            self.unverified = unverified
            self.unverifiedParts = unverifiedParts
        }
        /// True when every part was checked against a source on a known day.
        public var isVerified: Bool { !unverified && unverifiedParts.isEmpty && !sources.isEmpty && checked != nil }
    }

    /// The maker's certified pre-owned coverage, for a vehicle sold as `certified`.
    public struct CertifiedTerms: Sendable, Equatable {
        /// Powertrain coverage counted from the original in-service date at 0 miles.
        public var powertrain: Coverage?
        /// Basic coverage counted from the original in-service date at 0 miles (extends the factory basic warranty).
        public var basic: Coverage?
        /// Basic coverage counted from the certified sale: its delivery date and odometer.
        public var basicFromSale: Coverage?
        public var provenance: Provenance
        public init(powertrain: Coverage? = nil, basic: Coverage? = nil, basicFromSale: Coverage? = nil, provenance: Provenance = .init()) {
            self.powertrain = powertrain
            self.basic = basic
            self.basicFromSale = basicFromSale
            self.provenance = provenance
        }
    }

    /// The maker's complimentary scheduled maintenance (ToyotaCare), from the in-service date at 0 miles.
    public struct FreeMaintenance: Sendable, Equatable {
        /// What a customer calls it ("ToyotaCare").
        public var name: String
        public var coverage: Coverage
        public var provenance: Provenance
        public init(name: String, coverage: Coverage, provenance: Provenance = .init()) {
            self.name = name
            self.coverage = coverage
            self.provenance = provenance
        }
    }

    public struct Terms: Sendable, Equatable {
        public var basic: Coverage
        public var powertrain: Coverage
        /// Powertrain for a later owner when it differs (e.g. Hyundai/Kia: 10/100k first owner, 5/60k after).
        public var powertrainSubsequentOwner: Coverage?
        public var certified: CertifiedTerms?
        public var freeMaintenance: FreeMaintenance?
        public var provenance: Provenance
        public init(
            basic: Coverage, powertrain: Coverage, powertrainSubsequentOwner: Coverage? = nil, certified: CertifiedTerms? = nil,
            freeMaintenance: FreeMaintenance? = nil, provenance: Provenance = .init()
        ) {
            self.basic = basic
            self.powertrain = powertrain
            self.powertrainSubsequentOwner = powertrainSubsequentOwner
            self.certified = certified
            self.freeMaintenance = freeMaintenance
            self.provenance = provenance
        }
    }

    /// Model years an entry covers, both ends included; nil is open (`"2020-"`, `"-2017"`, or no `model_years`).
    public struct ModelYears: Sendable, Equatable, CustomStringConvertible {
        public var from: Int?
        public var through: Int?
        public init(from: Int? = nil, through: Int? = nil) {
            self.from = from
            self.through = through
        }
        public func contains(_ year: Int) -> Bool { (from.map { year >= $0 } ?? true) && (through.map { year <= $0 } ?? true) }
        /// Model years between `year` and the range (0 inside it).
        public func distance(to year: Int) -> Int {
            if let f = from, year < f { return f - year }
            if let t = through, year > t { return year - t }
            return 0
        }
        public func overlaps(_ other: ModelYears) -> Bool {
            (from ?? Int.min) <= (other.through ?? Int.max) && (other.from ?? Int.min) <= (through ?? Int.max)
        }
        public var description: String {
            if let f = from, let t = through { return f == t ? "\(f)" : "\(f)-\(t)" }
            if let f = from { return "\(f)-" }
            if let t = through { return "-\(t)" }
            return "all"
        }
    }

    /// One make's terms for a range of model years, with the line of the file it came from.
    public struct Entry: Sendable, Equatable {
        public var modelYears: ModelYears
        public var terms: Terms
        public var line: Int
        public init(modelYears: ModelYears = .init(), terms: Terms, line: Int = 0) {
            self.modelYears = modelYears
            self.terms = terms
            self.line = line
        }
    }

    /// Terms for a make not listed: 3 years/36,000 miles basic, 5/60,000 powertrain in the shipped file.
    public var defaultTerms: Terms
    /// Keyed by upper-cased make; each make's entries in model-year order, not overlapping.
    public var entries: [String: [Entry]]
    /// Other spellings (`CHEVY` → `CHEVROLET`), upper-cased.
    public var aliases: [String: String]
    /// What `afterdesk menu check` warns about (a fact with neither source nor `unverified`); the table loads anyway.
    public var warnings: [MenuIssue] = []

    public init(defaultTerms: Terms, entries: [String: [Entry]], aliases: [String: String] = [:]) {
        self.defaultTerms = defaultTerms
        self.entries = entries
        self.aliases = aliases
    }

    /// One entry per make, for all model years (the single-mapping form).
    public init(defaultTerms: Terms, makes: [String: Terms], aliases: [String: String] = [:]) {
        self.init(defaultTerms: defaultTerms, entries: makes.mapValues { [Entry(terms: $0)] }, aliases: aliases)
    }

    /// Each make's terms for its newest model years.
    public var makes: [String: Terms] { entries.compactMapValues { $0.last?.terms } }

    /// The make's entries, by its name in any case or an alias; nil for a make not listed.
    func entries(forMake make: String) -> [Entry]? {
        if let e = entries[make] ?? aliases[make].flatMap({ entries[$0] }) { return e }  // already in canonical form
        let key = make.uppercased().trimmingSpaces
        return entries[aliases[key] ?? key]
    }

    /// The terms of the make's newest model years, for a caller that does not know the vehicle's year.
    public func terms(forMake make: String) -> Terms {
        entries(forMake: make)?.last?.terms ?? defaultTerms
    }

    /// The terms of the entry covering `modelYear`. When none does (a gap between ranges, or a year before the first
    /// or after the last), the closest range's, the newer one on a tie; a make not listed gets `defaultTerms`.
    public func terms(forMake make: String, modelYear: Int) -> Terms {
        guard let list = entries(forMake: make), var best = list.last else { return defaultTerms }
        let year = min(max(modelYear, 0), 10_000)  // a year from a row is untrusted: no overflow in the distance
        for e in list.reversed() where e.modelYears.distance(to: year) < best.modelYears.distance(to: year) {
            best = e
        }
        return best.terms
    }
}
