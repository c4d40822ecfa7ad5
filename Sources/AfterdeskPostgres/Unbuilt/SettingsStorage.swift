import AfterdeskCore
import AfterdeskStorage
import Foundation

extension PostgresStorage {
    public func setting(_ key: String) async throws -> String? {
        throw PostgresStorage.unbuilt(#function)
    }

    public func setSetting(_ key: String, _ value: String) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    public func settingIfAbsent(_ key: String, _ value: String) async throws -> String {
        throw PostgresStorage.unbuilt(#function)
    }

    public func storedMenu() async throws -> (menu: String?, warranties: String?) {
        throw PostgresStorage.unbuilt(#function)
    }

    public func storeMenu(_ inForce: MenuInForce) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    public func emergencyStates() async throws -> Set<String> {
        throw PostgresStorage.unbuilt(#function)
    }

    @discardableResult public func setEmergency(_ state: String, on: Bool) async throws -> Set<String> {
        throw PostgresStorage.unbuilt(#function)
    }
}
