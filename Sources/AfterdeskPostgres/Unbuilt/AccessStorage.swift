import AfterdeskCore
import AfterdeskStorage
import Foundation

extension PostgresStorage {
    @discardableResult public func addUser(_ user: NewUser, passwordHash: String?, now: Date) async throws -> Int64 {
        throw PostgresStorage.unbuilt(#function)
    }

    public func users() async throws -> [UserRow] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func disableUser(name: String, now: Date) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    public func setRole(name: String, role: Role) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    public func setPassword(name: String, bcryptHash: String, keepingSession: String?) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    public func signInUser(name: String) async throws -> SignInUser? {
        throw PostgresStorage.unbuilt(#function)
    }

    public func principal(userID: Int64) async throws -> Principal? {
        throw PostgresStorage.unbuilt(#function)
    }

    public func principal(tokenHash: String, now: Date) async throws -> Principal? {
        throw PostgresStorage.unbuilt(#function)
    }

    public func addToken(user: String, tokenHash: String, label: String, expiresAt: Date?, now: Date) async throws -> Int64 {
        throw PostgresStorage.unbuilt(#function)
    }

    public func tokens() async throws -> [TokenRow] {
        throw PostgresStorage.unbuilt(#function)
    }

    public func revokeToken(id: Int64, now: Date) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    public func reserveSignIn(user: String, address: String, limits: SignInLimits, now: Date) async throws -> SignInGate {
        throw PostgresStorage.unbuilt(#function)
    }

    public func settleSignIn(attempt: Int64, succeeded: Bool) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    public func signInRefusedUntil(user: String, address: String, limits: SignInLimits, now: Date) async throws -> Date? {
        throw PostgresStorage.unbuilt(#function)
    }

    @discardableResult public func tidySignIns(now: Date, limits: SignInLimits) async throws -> Int {
        throw PostgresStorage.unbuilt(#function)
    }

    @discardableResult public func persistSet(key: String, value: Data, expiresAt: Date?, keepExpiry: Bool, onlyNew: Bool, now: Date)
        async throws -> Bool
    {
        throw PostgresStorage.unbuilt(#function)
    }

    public func persistGet(key: String, now: Date) async throws -> (value: Data, expiresAt: Date?)? {
        throw PostgresStorage.unbuilt(#function)
    }

    public func persistRemove(key: String) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    @discardableResult public func persistTidy(now: Date) async throws -> Int {
        throw PostgresStorage.unbuilt(#function)
    }
}
