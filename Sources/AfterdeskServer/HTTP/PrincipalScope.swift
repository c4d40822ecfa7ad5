import AfterdeskCore

/// What a person asks of a store, as every page and API route answers it (docs/security.md, "Stores"): a store that is
/// not theirs does not exist for them (404), and what they see without naming one is everything of their stores.
extension Principal {
    /// `store` when this person may see it, nil when they named none; another store is 404.
    func asking(_ store: String?) throws -> String? {
        guard let store else { return nil }
        guard mayReach(store) else { throw AppError(.notFound, "No store \(store).") }
        return store
    }

    /// The report's one store and its stores for this person asking for `store`: the store asked for, else their only
    /// store, else (several stores) all of theirs pooled, else (the group's) every store.
    func reportScope(asking store: String?) throws -> (store: String?, stores: [String]?) {
        if let asked = try asking(store) { return (asked, nil) }
        if let only = onlyStore { return (only, nil) }
        return (nil, stores)
    }

    /// An import by this person: the store of rows that name none, and the stores its rows may name (nil: any). The
    /// store asked for is taken when it is theirs and ignored otherwise (docs/api.md: it never widens what they may
    /// write); a person of several stores who names none of theirs has no store for such rows: each is refused, saying
    /// to name its store.
    func importStores(asking store: String?) -> (default: String, allowed: Set<String>?) {
        guard let stores else { return (store ?? "main", nil) }
        let asked = store.flatMap { mayReach($0) ? $0 : nil }
        return (asked ?? onlyStore ?? "", Set(stores))
    }

    /// The stores a store filter offers this person, of the stores the database holds.
    func storeChoices(of all: [String]) -> [String] { all.filter(mayReach) }
}
