import AfterdeskCore

/// The index keys of customers and vehicles: stable across builds and machines (unlike Swift's Hasher), so
/// stored hashes stay valid; changing them needs a migration.
///
/// The indexes on these hashes are unique, so one statement can find-or-insert a customer or a vehicle
/// (`INSERT … ON CONFLICT DO UPDATE`) with a single B-tree search. Two keys with the same 64-bit hash (about
/// one chance in 10^7 among a million keys) are told apart by a probe chain: a key that finds another key at
/// its hash takes the next free hash of its own chain, `of(key, attempt: 1)`, `2`, …; rows are never
/// deleted, so a chain is never broken. Lookups walk the same chain.
public enum StableHash {
    public static func of(_ s: String) -> Int64 {
        var h = StableHasher()
        h.add(s)
        return h.signed
    }

    /// Chains longer than this would need that many keys colliding on 64 bits.
    public static let maxAttempts = 8

    public static func of(_ s: String, attempt: Int) -> Int64 {
        guard attempt > 0 else { return of(s) }
        var h = StableHasher()
        h.add(s)
        h.add(Int64(attempt))
        return h.signed
    }

    public enum Slot { case free, mine, taken }

    /// Walks `key`'s chain: `slot(hash)` says what sits at a hash. Returns the hash where the key is found,
    /// or the first free one.
    public static func probe(_ key: String, from first: Int = 0, _ slot: (Int64) throws -> Slot) throws -> (hash: Int64, found: Bool) {
        for attempt in first..<maxAttempts {
            let h = of(key, attempt: attempt)
            switch try slot(h) {
            case .free: return (h, false)
            case .mine: return (h, true)
            case .taken: continue
            }
        }
        throw StoreError.integrity(
            "\(maxAttempts) index keys in a row are taken by other keys: the hash chain of '\(key.prefix(2))…' is full")
    }
}
