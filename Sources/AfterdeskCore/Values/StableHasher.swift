/// FNV-1a, 64 bits: a hash that is the same in every build and on every machine (Swift's `Hasher` is
/// seeded per process), for values that are stored: fingerprints and index keys.
public struct StableHasher {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    public init() {}
    public var signed: Int64 { Int64(bitPattern: value) }
    @inline(__always) mutating func byte(_ b: UInt8) { value = (value ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    /// The bytes of the string, then a separator, so ("ab", "c") and ("a", "bc") differ.
    public mutating func add(_ s: String) {
        var s = s
        s.withUTF8 { u in for b in u { byte(b) } }
        byte(0x1f)
    }
    mutating func add(_ s: String?) { if let s { add(s) } else { byte(0x1e) } }
    mutating func add(_ n: Int) { add(Int64(n)) }
    mutating func add(_ n: Int?) { if let n { add(Int64(n)) } else { byte(0x1e) } }
    public mutating func add(_ n: Int64?) {
        guard let n else {
            byte(0x1e)
            return
        }
        var v = UInt64(bitPattern: n)
        for _ in 0..<8 {
            byte(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }
    mutating func add(_ b: Bool) { byte(b ? 1 : 0) }
}
