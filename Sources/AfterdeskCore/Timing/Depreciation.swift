import Foundation

extension Depreciation {
    /// Share of the value at contract remaining after `months` of ownership, in basis points (10000 = all):
    /// linear between the menu's points; past the last point the last segment's slope continues, never
    /// below 5% of the value. A projection, so plain floating point; values are rounded to the cent after.
    public func remainingBasisPoints(condition: VehicleCondition, months: Double) -> Double {
        let points = condition == .new ? new : used
        guard let first = points.first else { return 10_000 }
        if months <= Double(first.month) { return Double(first.remainingBasisPoints) }
        for (a, b) in zip(points, points.dropFirst()) where months <= Double(b.month) {
            return interpolate(a, b, months)
        }
        guard points.count >= 2 else { return Double(first.remainingBasisPoints) }
        let extrapolated = interpolate(points[points.count - 2], points[points.count - 1], months)
        return max(500, extrapolated)
    }

    private func interpolate(_ a: Point, _ b: Point, _ m: Double) -> Double {
        // Two points of a menu's curve on the same month: no slope to follow.
        guard b.month > a.month else { return Double(b.remainingBasisPoints) }
        let t = (m - Double(a.month)) / Double(b.month - a.month)
        return Double(a.remainingBasisPoints) + Double(b.remainingBasisPoints - a.remainingBasisPoints) * t
    }
}
