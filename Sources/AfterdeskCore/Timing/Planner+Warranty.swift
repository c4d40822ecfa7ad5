extension Planner {
    /// The `warranty_expiry` anchor: the basic warranty's end when it is still ahead at delivery, else the powertrain
    /// warranty's (a used car sold out of basic warranty), else none: then only touches counted from delivery remain.
    static func nextWarrantyEnd(_ projection: WarrantyProjection, after delivery: LocalDate) -> TimingAnchor {
        for (name, expiry) in [("basic", projection.basic), ("powertrain", projection.powertrain)] where expiry.date > delivery {
            return TimingAnchor(
                date: expiry.date,
                text: "factory \(name) warranty projected to end \(expiry.date) "
                    + (expiry.limit == .miles ? "at \(expiry.coverage.miles.formattedMiles) miles" : "after \(expiry.coverage.years) years")
            )
        }
        return TimingAnchor()
    }
}
