/// How the planner says which coverage ends when, and the free maintenance that times prepaid maintenance.
extension Planner {
    /// "factory basic warranty projected to end 2028-01-15 after 3 years", or for a certified car whose program's
    /// coverage ends later "certified pre-owned coverage projected to end 2027-03-02 at 12,000 miles from the sale".
    static func basicEndText(_ basic: WarrantyProjection.Expiry) -> String {
        let c = basic.coverage
        switch basic.program {
        case .certifiedFromSale:
            return "certified pre-owned coverage projected to end \(basic.date) "
                + (basic.limit == .miles ? "at \(c.miles.formattedMiles) miles from the sale" : "\(years(c.years)) after the sale")
        case .certified:
            return "certified pre-owned coverage projected to end \(basic.date) "
                + (basic.limit == .miles ? "at \(c.miles.formattedMiles) miles" : "\(years(c.years)) after the vehicle went into service")
        case .factory, .freeMaintenance:
            return "factory basic warranty projected to end \(basic.date) "
                + (basic.limit == .miles ? "at \(c.miles.formattedMiles) miles" : "after \(c.years) years")
        }
    }

    /// Prepaid maintenance is raised no earlier than this many days before the maker's free maintenance ends.
    static let freeMaintenanceLeadDays = 60

    static func years(_ n: Int) -> String { n == 1 ? "1 year" : "\(n) years" }

    /// The `first_service` anchor of a vehicle still under the maker's free maintenance on its delivery day (a new car;
    /// a used or certified one only while the plan still runs by time and by miles): where the free plan ends, since
    /// nobody buys prepaid maintenance for services that are free. Nil for any other vehicle.
    func freeMaintenanceAnchor(of deal: DealRecord, _ projection: WarrantyProjection, plan: inout ProductPlan) -> TimingAnchor? {
        guard let free = projection.freeMaintenance, free.date > deal.deliveryDate else { return nil }
        plan.freeMaintenanceEnds = free.date
        let name = projection.freeMaintenanceName ?? "the maker's"
        let program = name.lowercased().contains("maintenance") ? name : "\(name) free maintenance"
        let terms = "\(Planner.years(free.coverage.years))/\(free.coverage.miles.formattedMiles) miles"
        return TimingAnchor(date: free.date, text: "\(program) projected to end around \(free.date) (\(terms))")
    }
}
