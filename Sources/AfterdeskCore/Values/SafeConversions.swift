import Foundation

extension Int {
    /// A Double rounded toward zero into an Int, never trapping: NaN is 0, and values beyond the range of Int
    /// (infinities included) are its bounds. `Int(someDouble)` traps on those, and a Double computed from data
    /// can be any of them (STYLE.md: data never traps).
    @inline(__always)
    public init(saturating d: Double) {
        if d.isNaN { self = 0 } else if d >= 9.2e18 { self = .max } else if d <= -9.2e18 { self = .min } else { self = Int(d) }
    }
}

extension Int64 {
    /// As `Int(saturating:)`.
    @inline(__always)
    public init(saturating d: Double) { self = Int64(Int(saturating: d)) }
}

extension Date {
    /// Whole seconds since 1970 (rounded down), never trapping: clamped to the years 1 to 9999, so adding a
    /// zone's offset cannot overflow either.
    @inline(__always)
    public var epochSeconds: Int {
        min(max(Int(saturating: timeIntervalSince1970.rounded(.down)), -62_135_596_800), 253_402_300_799)
    }
}
