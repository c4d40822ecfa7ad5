import AfterdeskCore
import Foundation

/// Users, API tokens, sign-in limits and web sessions.
public protocol AccessStorage: Sendable {
    /// Adds a user, with its password's hash when it has one, in one write: a name taken, or a store or staff member
    /// that does not exist, refuses it and stores nothing.
    @discardableResult
    func addUser(_ user: NewUser, passwordHash: String?, now: Date) async throws -> Int64
    func users() async throws -> [UserRow]
    /// The user the storage finds by `name`, as every action on a name (a role, a password, a token, disabling) finds
    /// it: by the database's own comparison of names, never another's.
    func user(named name: String) async throws -> UserRow?
    func disableUser(name: String, now: Date) async throws
    func setRole(name: String, role: Role) async throws
    /// Sets a user's password hash and ends their other sessions (`keepingSession`: the one to keep).
    func setPassword(name: String, bcryptHash: String, keepingSession: String?) async throws
    func signInUser(name: String) async throws -> SignInUser?
    func principal(userID: Int64) async throws -> Principal?
    func principal(tokenHash: String, now: Date) async throws -> Principal?
    func addToken(user: String, tokenHash: String, label: String, expiresAt: Date?, now: Date) async throws -> Int64
    func tokens() async throws -> [TokenRow]
    func revokeToken(id: Int64, now: Date) async throws

    /// Counts a sign-in attempt against every limit at once, before the password is checked.
    func reserveSignIn(user: String, address: String, limits: SignInLimits, now: Date) async throws -> SignInGate
    func settleSignIn(attempt: Int64, succeeded: Bool) async throws
    func signInRefusedUntil(user: String, address: String, limits: SignInLimits, now: Date) async throws -> Date?
    @discardableResult
    func tidySignIns(now: Date, limits: SignInLimits) async throws -> Int

    /// Web sessions: `onlyNew` sets only if absent; `keepExpiry` keeps the expiry stored.
    @discardableResult
    func persistSet(key: String, value: Data, expiresAt: Date?, keepExpiry: Bool, onlyNew: Bool, now: Date) async throws
        -> Bool
    func persistGet(key: String, now: Date) async throws -> (value: Data, expiresAt: Date?)?
    func persistRemove(key: String) async throws
    @discardableResult
    func persistTidy(now: Date) async throws -> Int
}

extension AccessStorage {
    /// Adds a user without a password (`afterdesk users add`; `users passwd` sets one).
    @discardableResult
    public func addUser(name: String, role: Role, staffCode: String?, store: String?, now: Date) async throws -> Int64 {
        try await addUser(NewUser.checked(name: name, role: role, staffCode: staffCode, store: store), passwordHash: nil, now: now)
    }
    public func setPassword(name: String, bcryptHash: String) async throws {
        try await setPassword(name: name, bcryptHash: bcryptHash, keepingSession: nil)
    }
    public func reserveSignIn(user: String, address: String, now: Date) async throws -> SignInGate {
        try await reserveSignIn(user: user, address: address, limits: SignInLimits(), now: now)
    }
    public func signInRefusedUntil(user: String, address: String, now: Date) async throws -> Date? {
        try await signInRefusedUntil(user: user, address: address, limits: SignInLimits(), now: now)
    }
    @discardableResult
    public func tidySignIns(now: Date) async throws -> Int { try await tidySignIns(now: now, limits: SignInLimits()) }
}

/// Consent and opt-outs: what customers asked for, which no import may undo.
public protocol ConsentStorage: Sendable {
    func customers(withPhone phone: String) async throws -> [Int64]
    func customers(holdingAddress address: String) async throws -> [Int64]
    @discardableResult
    func setSMSConsent(phone: String, consent: Bool, source: String, reference: String?, now: Date) async throws
        -> [Int64]
    func unsubscribeEmail(customerID: Int64, source: String, oneClick: Bool, now: Date) async throws -> Bool
    func addDoNotCall(_ phones: [String], source: String, now: Date) async throws -> Int
    /// Records an opt-out of `text` (a phone or email) on `channel` (nil: every channel it can reach).
    func addOptOut(address text: String, channel: ContactChannel?, detail: String, by user: String, now: Date)
        async throws -> [OptOutEntry]
    /// Records written consent that lifts an opt-out; only the customer's own act may.
    func recordConsent(
        address text: String, channel: ContactChannel, evidence: String, date: LocalDate, by user: String, now: Date
    ) async throws -> OptOutEntry
    func optOutHistory(address text: String) async throws -> [OptOutEntry]
    func optOutsInForce(includeRestored restored: Bool, limit: Int) async throws -> [OptOutEntry]
    func optOutsInForce(customer: Int64) async throws -> [OptOutEntry]
    func optOutStatus(dealNumber: String, store: String?) async throws -> [OptOutStatus]
    func optOutSummary() async throws -> OptOutSummary
}

extension ConsentStorage {
    @discardableResult
    public func setSMSConsent(phone: String, consent: Bool, source: String, now: Date) async throws -> [Int64] {
        try await setSMSConsent(phone: phone, consent: consent, source: source, reference: nil, now: now)
    }
    public func unsubscribeEmail(customerID: Int64, source: String, now: Date) async throws -> Bool {
        try await unsubscribeEmail(customerID: customerID, source: source, oneClick: false, now: now)
    }
    public func optOutsInForce() async throws -> [OptOutEntry] {
        try await optOutsInForce(includeRestored: false, limit: 500)
    }
}

/// Settings, the menu in force, and the states under an emergency order.
public protocol SettingsStorage: Sendable {
    func setting(_ key: String) async throws -> String?
    func setSetting(_ key: String, _ value: String) async throws
    /// Stores `value` under `key` unless a value is there already, and returns the one that stands: of processes
    /// that start together, the first to write wins and every one reads its value (the random signing secret).
    func settingIfAbsent(_ key: String, _ value: String) async throws -> String
    /// The menu and warranty tables stored by the last `storeMenu` (their text, as loaded).
    func storedMenu() async throws -> (menu: String?, warranties: String?)
    /// Stores the menu in force and its store(s), with each store's time zone.
    func storeMenu(_ inForce: MenuInForce) async throws
    func emergencyStates() async throws -> Set<String>
    @discardableResult
    func setEmergency(_ state: String, on: Bool) async throws -> Set<String>
}

/// Operations: migrations, counts for monitoring, backups.
public protocol OperationsStorage: Sendable {
    /// Where the data lives, for people (a file path; nil for a private in-memory database).
    var location: String? { get }
    func appliedMigrations() async throws -> [String]
    func counts() async throws -> [String: Int]
    func monitoringCounts() async throws -> MonitoringCounts
    /// A consistent copy of the whole database at `destination`, taken while it is in use.
    func backup(to destination: String) async throws -> BackupSummary
}

extension NewUser {
    /// The user, or the field that cannot be taken as a store error (refused as invalid, 422 on a page or the API).
    public static func checked(name: String, role: Role, staffCode: String?, store: String?) throws(StoreError) -> NewUser {
        try checked(name: name, role: role, staffCode: staffCode, stores: store.map { [$0] } ?? [])
    }

    /// A user of `stores` (empty: the group's), or the field that cannot be taken as a store error.
    public static func checked(name: String, role: Role, staffCode: String?, stores: [String]) throws(StoreError) -> NewUser {
        do { return try NewUser(name: name, role: role, staffCode: staffCode, stores: stores) } catch {
            throw StoreError(error.description)
        }
    }
}
