import AfterdeskCore
import AfterdeskStorage
import Foundation

// Forwards every requirement to the storage wrapped and notes its key (Checklist). Generated from the protocols
// (each requirement once, as declared); the compiler checks that none is missing.

extension RecordingStorage: AccessStorage {
    func addUser(_ user: NewUser, passwordHash: String?, now: Date) async throws -> Int64 {
        notes.note("addUser(_:passwordHash:now:)")
        return try await base.addUser(user, passwordHash: passwordHash, now: now)
    }
    func users() async throws -> [UserRow] {
        notes.note("users()")
        return try await base.users()
    }
    func disableUser(name: String, now: Date) async throws {
        notes.note("disableUser(name:now:)")
        return try await base.disableUser(name: name, now: now)
    }
    func setRole(name: String, role: Role) async throws {
        notes.note("setRole(name:role:)")
        return try await base.setRole(name: name, role: role)
    }
    func setPassword(name: String, bcryptHash: String, keepingSession: String?) async throws {
        notes.note("setPassword(name:bcryptHash:keepingSession:)")
        return try await base.setPassword(name: name, bcryptHash: bcryptHash, keepingSession: keepingSession)
    }
    func signInUser(name: String) async throws -> SignInUser? {
        notes.note("signInUser(name:)")
        return try await base.signInUser(name: name)
    }
    func principal(userID: Int64) async throws -> Principal? {
        notes.note("principal(userID:)")
        return try await base.principal(userID: userID)
    }
    func principal(tokenHash: String, now: Date) async throws -> Principal? {
        notes.note("principal(tokenHash:now:)")
        return try await base.principal(tokenHash: tokenHash, now: now)
    }
    func addToken(user: String, tokenHash: String, label: String, expiresAt: Date?, now: Date) async throws -> Int64 {
        notes.note("addToken(user:tokenHash:label:expiresAt:now:)")
        return try await base.addToken(user: user, tokenHash: tokenHash, label: label, expiresAt: expiresAt, now: now)
    }
    func tokens() async throws -> [TokenRow] {
        notes.note("tokens()")
        return try await base.tokens()
    }
    func revokeToken(id: Int64, now: Date) async throws {
        notes.note("revokeToken(id:now:)")
        return try await base.revokeToken(id: id, now: now)
    }
    func reserveSignIn(user: String, address: String, limits: SignInLimits, now: Date) async throws -> SignInGate {
        notes.note("reserveSignIn(user:address:limits:now:)")
        return try await base.reserveSignIn(user: user, address: address, limits: limits, now: now)
    }
    func settleSignIn(attempt: Int64, succeeded: Bool) async throws {
        notes.note("settleSignIn(attempt:succeeded:)")
        return try await base.settleSignIn(attempt: attempt, succeeded: succeeded)
    }
    func signInRefusedUntil(user: String, address: String, limits: SignInLimits, now: Date) async throws -> Date? {
        notes.note("signInRefusedUntil(user:address:limits:now:)")
        return try await base.signInRefusedUntil(user: user, address: address, limits: limits, now: now)
    }
    func tidySignIns(now: Date, limits: SignInLimits) async throws -> Int {
        notes.note("tidySignIns(now:limits:)")
        return try await base.tidySignIns(now: now, limits: limits)
    }
    func persistSet(key: String, value: Data, expiresAt: Date?, keepExpiry: Bool, onlyNew: Bool, now: Date) async throws
        -> Bool
    {
        notes.note("persistSet(key:value:expiresAt:keepExpiry:onlyNew:now:)")
        return try await base.persistSet(key: key, value: value, expiresAt: expiresAt, keepExpiry: keepExpiry, onlyNew: onlyNew, now: now)
    }
    func persistGet(key: String, now: Date) async throws -> (value: Data, expiresAt: Date?)? {
        notes.note("persistGet(key:now:)")
        return try await base.persistGet(key: key, now: now)
    }
    func persistRemove(key: String) async throws {
        notes.note("persistRemove(key:)")
        return try await base.persistRemove(key: key)
    }
    func persistTidy(now: Date) async throws -> Int {
        notes.note("persistTidy(now:)")
        return try await base.persistTidy(now: now)
    }
}

extension RecordingStorage: ConsentStorage {
    func customers(withPhone phone: String) async throws -> [Int64] {
        notes.note("customers(withPhone:)")
        return try await base.customers(withPhone: phone)
    }
    func customers(holdingAddress address: String) async throws -> [Int64] {
        notes.note("customers(holdingAddress:)")
        return try await base.customers(holdingAddress: address)
    }
    func setSMSConsent(phone: String, consent: Bool, source: String, reference: String?, now: Date) async throws
        -> [Int64]
    {
        notes.note("setSMSConsent(phone:consent:source:reference:now:)")
        return try await base.setSMSConsent(phone: phone, consent: consent, source: source, reference: reference, now: now)
    }
    func unsubscribeEmail(customerID: Int64, source: String, oneClick: Bool, now: Date) async throws -> Bool {
        notes.note("unsubscribeEmail(customerID:source:oneClick:now:)")
        return try await base.unsubscribeEmail(customerID: customerID, source: source, oneClick: oneClick, now: now)
    }
    func addDoNotCall(_ phones: [String], source: String, now: Date) async throws -> Int {
        notes.note("addDoNotCall(_:source:now:)")
        return try await base.addDoNotCall(phones, source: source, now: now)
    }
    func addOptOut(address text: String, channel: ContactChannel?, detail: String, by user: String, now: Date) async throws -> [OptOutEntry]
    {
        notes.note("addOptOut(address:channel:detail:by:now:)")
        return try await base.addOptOut(address: text, channel: channel, detail: detail, by: user, now: now)
    }
    func recordConsent(address text: String, channel: ContactChannel, evidence: String, date: LocalDate, by user: String, now: Date)
        async throws -> OptOutEntry
    {
        notes.note("recordConsent(address:channel:evidence:date:by:now:)")
        return try await base.recordConsent(address: text, channel: channel, evidence: evidence, date: date, by: user, now: now)
    }
    func optOutHistory(address text: String) async throws -> [OptOutEntry] {
        notes.note("optOutHistory(address:)")
        return try await base.optOutHistory(address: text)
    }
    func optOutsInForce(includeRestored restored: Bool, limit: Int) async throws -> [OptOutEntry] {
        notes.note("optOutsInForce(includeRestored:limit:)")
        return try await base.optOutsInForce(includeRestored: restored, limit: limit)
    }
    func optOutsInForce(customer: Int64) async throws -> [OptOutEntry] {
        notes.note("optOutsInForce(customer:)")
        return try await base.optOutsInForce(customer: customer)
    }
    func optOutStatus(dealNumber: String, store: String?) async throws -> [OptOutStatus] {
        notes.note("optOutStatus(dealNumber:store:)")
        return try await base.optOutStatus(dealNumber: dealNumber, store: store)
    }
    func optOutSummary() async throws -> OptOutSummary {
        notes.note("optOutSummary()")
        return try await base.optOutSummary()
    }
}

extension RecordingStorage: SettingsStorage {
    func setting(_ key: String) async throws -> String? {
        notes.note("setting(_:)")
        return try await base.setting(key)
    }
    func setSetting(_ key: String, _ value: String) async throws {
        notes.note("setSetting(_:_:)")
        return try await base.setSetting(key, value)
    }
    func settingIfAbsent(_ key: String, _ value: String) async throws -> String {
        notes.note("settingIfAbsent(_:_:)")
        return try await base.settingIfAbsent(key, value)
    }
    func storedMenu() async throws -> (menu: String?, warranties: String?) {
        notes.note("storedMenu()")
        return try await base.storedMenu()
    }
    func storeMenu(_ inForce: MenuInForce) async throws {
        notes.note("storeMenu(_:)")
        return try await base.storeMenu(inForce)
    }
    func emergencyStates() async throws -> Set<String> {
        notes.note("emergencyStates()")
        return try await base.emergencyStates()
    }
    func setEmergency(_ state: String, on: Bool) async throws -> Set<String> {
        notes.note("setEmergency(_:on:)")
        return try await base.setEmergency(state, on: on)
    }
}

extension RecordingStorage: OperationsStorage {
    var location: String? {
        notes.note("location")
        return base.location
    }
    func appliedMigrations() async throws -> [String] {
        notes.note("appliedMigrations()")
        return try await base.appliedMigrations()
    }
    func counts() async throws -> [String: Int] {
        notes.note("counts()")
        return try await base.counts()
    }
    func monitoringCounts() async throws -> MonitoringCounts {
        notes.note("monitoringCounts()")
        return try await base.monitoringCounts()
    }
    func backup(to destination: String) async throws -> BackupSummary {
        notes.note("backup(to:)")
        return try await base.backup(to: destination)
    }
}

extension RecordingStorage {
    func user(named name: String) async throws -> UserRow? {
        notes.note("user(named:)")
        return try await base.user(named: name)
    }
}
