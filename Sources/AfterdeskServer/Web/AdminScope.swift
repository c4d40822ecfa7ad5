import AfterdeskCore
import AfterdeskStorage

/// What an admin of some stores may manage (docs/security.md, "Stores"): the users of their stores, never a user of the
/// whole group or of another store too, and only their stores' settings. An admin of the whole group manages everyone.
extension Principal {
    /// Whether this admin may see and change `user`.
    func mayManage(_ user: UserRow) -> Bool {
        guard let stores else { return true }
        return !user.stores.isEmpty && Set(user.stores).isSubset(of: stores)
    }

    /// The stores of a user this admin adds, from the form's store field: codes separated by commas or spaces, `all`
    /// for the whole group (a group admin only), or empty. Empty is the admin's own stores for an admin of some stores
    /// (a sales user's one store); for a group admin, the whole group in a database of one store, and a refusal in a
    /// group, where whose a new user is must be said.
    func storesForNewUser(_ text: String?, role: Role, known: [String]) throws(StoreError) -> [String] {
        let codes = (text ?? "").split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
        if codes == ["all"] {
            guard isGroup else { throw StoreError("only an admin of the whole group adds a user of the whole group") }
            return []
        }
        if let unknown = codes.first(where: { !mayReach($0) }) { throw StoreError.notFound("no store '\(unknown)'") }
        guard codes.isEmpty else { return codes }
        if let stores {
            // Never the group by way of an empty list: an admin of no store adds no one.
            guard !stores.isEmpty else { throw StoreError("you work in no store: an admin of the whole group adds this user") }
            guard role == .sales, stores.count > 1 else { return stores }
            throw StoreError("a sales user works in one store: name it")
        }
        if known.count > 1, role != .sales {
            throw StoreError("name the user's stores (\(known.joined(separator: ", "))), or all for the whole group")
        }
        return []
    }
}
