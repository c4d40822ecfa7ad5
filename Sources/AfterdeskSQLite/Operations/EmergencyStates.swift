import AfterdeskCore
import AfterdeskStorage
import Foundation

extension AfterdeskDatabase {
    /// The database setting that holds the states whose declared emergency an admin has switched on (Louisiana forbids
    /// solicitation during one): their codes, comma-separated. No schema change: a row of `settings`, as the signing
    /// secret is.
    public static let emergencyStatesKey = "emergency_states"

    /// The states whose declared emergency is switched on.
    public func emergencyStates() async throws -> Set<String> {
        let text = try await setting(Self.emergencyStatesKey) ?? ""
        return Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { $0.count == 2 })
    }

    /// Switches a state's emergency blackout on or off; returns the states switched on afterwards.
    @discardableResult
    public func setEmergency(_ state: String, on: Bool) async throws -> Set<String> {
        var states = try await emergencyStates()
        if on { states.insert(state.uppercased()) } else { states.remove(state.uppercased()) }
        try await setSetting(Self.emergencyStatesKey, states.sorted().joined(separator: ","))
        return states
    }
}
