import AfterdeskCore
import AfterdeskStorage
import Foundation

extension RecordingStorage: StoreStorage {
    func stores() async throws -> [StoreRow] {
        notes.note("stores()")
        return try await base.stores()
    }
    func putStore(code: String, name: String, timeZone: String, now: Date) async throws {
        notes.note("putStore(code:name:timeZone:now:)")
        try await base.putStore(code: code, name: name, timeZone: timeZone, now: now)
    }
    func storeSettings() async throws -> [String: [String: String]] {
        notes.note("storeSettings()")
        return try await base.storeSettings()
    }
    func setStoreSetting(store: String, key: String, value: String?, now: Date) async throws {
        notes.note("setStoreSetting(store:key:value:now:)")
        try await base.setStoreSetting(store: store, key: key, value: value, now: now)
    }
    func storeOfCustomer(id: Int64) async throws -> String? {
        notes.note("storeOfCustomer(id:)")
        return try await base.storeOfCustomer(id: id)
    }
}
