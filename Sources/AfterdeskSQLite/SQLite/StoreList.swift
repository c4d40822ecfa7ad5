import Foundation

/// A list of store codes as one SQLite argument: a JSON array read back with `json_each` (`s.code IN (SELECT value FROM
/// json_each(?))`), so a list of any length is one bound value and one cached statement. Nil stays nil: every store.
enum StoreList {
    static func json(_ stores: [String]?) -> String? {
        guard let stores else { return nil }
        // An array of strings always encodes; the empty array is the answer for nothing to encode.
        return (try? JSONEncoder().encode(stores)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }
}
