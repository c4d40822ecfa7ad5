import AfterdeskStorage

/// A compact multimap from the low 32 bits of a key hash to row ids, for a bulk import that finds customers
/// and vehicles in memory instead of through SQLite indexes (see `BulkKeys`).
///
/// 8 bytes a slot (open addressing, linear probing, at most half full): about 16 MB for a million rows,
/// where `[Int64: Int64]` takes 40. A class, so growing it in place never copies it. It only narrows the
/// search: the caller reads each candidate row back and compares its full key, so two keys sharing 32 bits
/// cost one extra row read, never a wrong answer.
final class KeyMap {
    private var keys: [UInt32]
    /// Row ids; 0 marks an empty slot (SQLite rowids here start at 1).
    private var values: [UInt32]
    private(set) var count = 0

    init(capacity: Int = 0) {
        var slots = 1024
        while slots / 2 < capacity { slots *= 2 }
        keys = [UInt32](repeating: 0, count: slots)
        values = [UInt32](repeating: 0, count: slots)
    }

    /// The largest row id the map holds (ids are stored in 32 bits).
    static let maxID = Int64(UInt32.max)

    @inline(__always) private static func slot(_ key: UInt32, _ mask: Int) -> Int {
        // Spread the bits: the key is already a hash, but its low bits pick the slot.
        Int(truncatingIfNeeded: (UInt64(key) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    func insert(_ key: UInt32, id: Int64) throws {
        guard id > 0, id <= KeyMap.maxID else {
            throw StoreError.integrity("row id \(id) does not fit the bulk import's 32-bit key map (import with --bulk off)")
        }
        if (count + 1) * 2 > keys.count { grow() }
        place(key, UInt32(id))
        count += 1
    }

    private func place(_ key: UInt32, _ value: UInt32) {
        let mask = keys.count - 1
        var i = KeyMap.slot(key, mask)
        while values[i] != 0 { i = (i + 1) & mask }
        keys[i] = key
        values[i] = value
    }

    private func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = [UInt32](repeating: 0, count: oldKeys.count * 2)
        values = [UInt32](repeating: 0, count: oldKeys.count * 2)
        for i in oldValues.indices where oldValues[i] != 0 { place(oldKeys[i], oldValues[i]) }
    }

    /// Calls `body` with each id stored under `key` until it returns false.
    func forEach(_ key: UInt32, _ body: (Int64) throws -> Bool) rethrows {
        let mask = keys.count - 1
        var i = KeyMap.slot(key, mask)
        while values[i] != 0 {
            if keys[i] == key, try !body(Int64(values[i])) { return }
            i = (i + 1) & mask
        }
    }
}

/// A bulk import's in-memory keys: the customer and VIN hash indexes are dropped while it runs and rebuilt
/// at its end (one sort instead of a random B-tree insert per row); these maps find rows meanwhile.
final class BulkKeys {
    let customers: KeyMap
    let vehicles: KeyMap

    init(expectedRows: Int) {
        customers = KeyMap(capacity: expectedRows)
        vehicles = KeyMap(capacity: expectedRows)
    }
}
