extension Planner {
    /// The `warranty_expiry` anchor: the basic coverage's end when it is still ahead at delivery, else the powertrain
    /// coverage's (a used car sold out of basic warranty), else none: then only touches counted from delivery remain.
    static func nextWarrantyEnd(_ projection: WarrantyProjection, after delivery: LocalDate) -> TimingAnchor {
        if projection.basic.date > delivery {
            return TimingAnchor(date: projection.basic.date, text: basicEndText(projection.basic))
        }
        let p = projection.powertrain
        guard p.date > delivery else { return TimingAnchor() }
        let whose =
            p.program == .certified || p.program == .certifiedFromSale
            ? "certified pre-owned powertrain coverage" : "factory powertrain warranty"
        return TimingAnchor(
            date: p.date,
            text: "\(whose) projected to end \(p.date) "
                + (p.limit == .miles ? "at \(p.coverage.miles.formattedMiles) miles" : "after \(years(p.coverage.years))"))
    }
}
