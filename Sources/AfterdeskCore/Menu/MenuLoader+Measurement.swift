import Yams

/// How the margin report measures a recovery (docs/menus.md; docs/reporting.md, "The measurement horizon"):
/// `measure_by`, `horizon_cap_days`, `holdout_months` and `anytime_window`.
extension MenuLoader {
    /// Reads the three keys into `menu`. A menu without `measure_by` measures by window, within `attribution_days` of
    /// the contract, as menus did before the horizon; `horizon_cap_days` is for horizon mode only.
    static func measurement(_ root: Node, _ r: inout YAMLReader, into menu: inout Menu) {
        if let text = r.string(root, "measure_by", "", required: false) {
            if let by = MeasureBy(rawValue: text) {
                menu.measureBy = by
            } else {
                r.fail(root["measure_by"], "measure_by", "unknown value '\(text)' (horizon or window)")
            }
        }
        menu.horizonCapDays = r.int(root, "horizon_cap_days", "", range: 1...7_300)
        if menu.horizonCapDays != nil && menu.measureBy == .window {
            r.warn(
                root["horizon_cap_days"], "horizon_cap_days",
                "measures nothing in window mode (a sale counts within attribution_days): set measure_by: horizon, or remove it")
        }
        menu.holdoutMonths = r.int(root, "holdout_months", "", range: 1...240) ?? MeasurementRule.defaultHoldoutMonths
        if let text = r.string(root, "anytime_window", "", required: false) {
            if text == "horizon" {
                menu.anytimeWindow = .horizon
            } else if let days = Int(text), (30...3_650).contains(days) {
                menu.anytimeWindow = .days(days)
            } else {
                r.fail(root["anytime_window"], "anytime_window", "'\(text)' is neither horizon nor a number of days from 30 to 3650")
            }
        }
    }
}
