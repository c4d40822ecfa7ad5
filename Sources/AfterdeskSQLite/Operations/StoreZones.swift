import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// The time zone a store's row names, checked where it is read: a name the system does not know is an error,
    /// never GMT (a wrong zone moves every date and every quiet hour). Stores are added with a checked name.
    static func zone(named name: String) throws -> TimeZone {
        do {
            return try TimeZone.store(name)
        } catch {
            throw StoreError("the stores table holds an \(error)", kind: .integrity)
        }
    }

    /// The time zone of the store with this id.
    static func zone(ofStore id: Int64, _ db: Database) throws -> TimeZone {
        guard let name = try String.fetchOne(db, sql: "SELECT time_zone FROM stores WHERE id = ?", arguments: [id]) else {
            throw StoreError("no store with id \(id)", kind: .notFound)
        }
        return try zone(named: name)
    }

    /// The time zone of the store with this code.
    static func zone(ofStore code: String, _ db: Database) throws -> TimeZone {
        guard let name = try String.fetchOne(db, sql: "SELECT time_zone FROM stores WHERE code = ?", arguments: [code]) else {
            throw StoreError("no store '\(code)'", kind: .notFound)
        }
        return try zone(named: name)
    }
}
