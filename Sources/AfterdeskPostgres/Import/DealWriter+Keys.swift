import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

/// Customers and vehicles, found by their key (match key, VIN) through its hash, unique per scope (the store for
/// customers, none for vehicles), as SQLite's `KeyedTable` does: one upsert at the key's first hash, and only when it
/// lands nothing (another key holds that hash, or a newer deal set the customer's facts) the key's probe chain walked
/// (`StableHash`). The opt-out ledger is read for the consent a customer row takes (docs/compliance.md, "Opt-outs").
extension DealWriter {
    /// The id of the row for `key`, inserted or refreshed. `statement(kind, first, hash)` is the statement of each kind;
    /// `first` is the scope (insert, upsert) or the row's id (update).
    private func findOrInsert(
        key: String, scope: Int64, firstHash: Int64, candidates: (_ hashes: [Int64]) -> PostgresQuery,
        statement: (KeyedStatement, _ first: Int64, _ hash: Int64) -> PostgresQuery
    ) async throws -> Int64 {
        if let id = try await conn.one(Int64.self, statement(.upsert, scope, firstHash), logger) { return id }
        let (hash, existing) = try await PostgresStorage.walk(key, candidates: candidates, conn, logger: logger)
        if let id = existing {
            // At the first hash the upsert already refreshed it (or the stored facts are newer).
            if hash != firstHash { try await conn.run(statement(.update, id, hash), logger) }
            return id
        }
        guard let id = try await conn.one(Int64.self, statement(.insert, scope, hash), logger) else {
            throw StoreError("a row for key \(key.prefix(2))… could not be inserted")
        }
        return id
    }

    enum KeyedStatement { case insert, upsert, update }

    /// The customer of the deal, inserted or refreshed.
    func customerID(_ deal: PreparedDeal, store: Int64) async throws -> Int64 {
        try await findOrInsert(
            key: deal.customerKey, scope: store, firstHash: deal.customerHash,
            candidates: { "SELECT match_hash, id, match_key FROM customers WHERE store_id = \(store) AND match_hash = ANY(\($0))" },
            statement: { kind, first, hash in
                let sql =
                    switch kind {
                    case .insert: CustomerSQL.insert + " RETURNING id"
                    case .upsert: CustomerSQL.upsert
                    case .update: CustomerSQL.update
                    }
                return PostgresQuery(unsafeSQL: sql, binds: customerBindings(deal, first: first, hash: hash))
            })
    }

    /// The vehicle of the deal, inserted or refreshed. Vehicles are one per VIN across the stores; an import limited to
    /// some stores links its deal to a vehicle another store's deal holds but never rewrites it (its in-service date
    /// times that store's follow-up).
    func vehicleID(_ deal: PreparedDeal) async throws -> Int64 {
        let vin = deal.record.vin
        if let allowed = importer.options.allowedStores,
            let id = try await PostgresStorage.vehicle(vin: vin, conn, logger: logger),
            try await conn.one(
                Bool.self,
                """
                SELECT EXISTS (SELECT 1 FROM deals d JOIN stores s ON s.id = d.store_id
                WHERE d.vehicle_id = \(id) AND s.code <> ALL(\(allowed.sorted())))
                """, logger) == true
        {
            return id
        }
        return try await findOrInsert(
            key: vin, scope: 0, firstHash: deal.vinHash, candidates: PostgresStorage.vehicleCandidates,
            statement: { kind, first, hash in
                let sql =
                    switch kind {
                    case .insert: VehicleSQL.insert + " RETURNING id"
                    case .upsert: VehicleSQL.upsert
                    case .update: VehicleSQL.update
                    }
                let r = deal.record
                var b = PostgresBindings(capacity: 7)
                if kind == .update { b.append(first) } else { b.append(r.vin) }
                b.append(r.vehicleYear)
                b.append(r.vehicleMake)
                b.append(r.vehicleModel)
                b.append(r.inServiceDate)
                b.append(r.inServiceEstimated)
                b.append(hash)
                return PostgresQuery(unsafeSQL: sql, binds: b)
            })
    }

    /// The customer parameters, `$1`…`$16` in `CustomerSQL.columns`' order; the first is the store (insert, upsert) or
    /// the customer's id (update).
    private func customerBindings(_ deal: PreparedDeal, first: Int64, hash: Int64) -> PostgresBindings {
        let r = deal.record
        var b = PostgresBindings(capacity: 16)
        b.append(first)
        b.append(deal.customerKey)
        b.append(r.buyerFirstName)
        b.append(r.buyerLastName)
        b.append(r.buyerEmail)
        b.append(r.buyerPhone)
        b.append(r.buyerState)
        b.append(r.buyerZip)
        b.append(r.customerNumber)
        b.append(r.consent.sms)
        b.append(r.consent.email)
        b.append(r.consent.phone)
        // Where consent came from: the file and line it was read from (the same on a re-run).
        b.append(deal.consentSource)
        b.append(importer.now)
        b.append(r.contractDate)
        b.append(hash)
        return b
    }

    /// The row's DMS blocks, into the ledger, unless the address is already stopped on the channel (re-running an
    /// import appends nothing). Other customers holding a blocked address are held back by the gate, which reads the
    /// ledger for every send and task; this row's customer takes it in its consent at once.
    func recordBlocks(_ deal: PreparedDeal) async throws {
        guard let blocks = deal.record.contactBlocks else { return }
        for b in blocks {
            let channel = b.channel.rawValue
            try await conn.run(
                """
                INSERT INTO opt_outs (address, channel, action, source, detail, reference, recorded_by, at)
                SELECT \(b.address), \(channel), 'stop', 'dms_block', \("\(b.field) = Y"), \(deal.consentSource), \("import \(file)"),
                       \(importer.now)
                WHERE NOT EXISTS (SELECT 1 FROM opt_out_state WHERE address = \(b.address) AND channel = \(channel) AND stopped)
                """, logger)
        }
    }
}

extension PostgresStorage {
    /// Walks `key`'s hash chain (`StableHash`), `candidates(hashes)` reading the hash, id and key of the rows at any of
    /// the chain's hashes in one query: the hash where the key is and its row, or the first free hash.
    static func walk(
        _ key: String, candidates: ([Int64]) -> PostgresQuery, _ conn: PostgresConnection, logger: Logger
    ) async throws -> (hash: Int64, id: Int64?) {
        let hashes = (0..<StableHash.maxAttempts).map { StableHash.of(key, attempt: $0) }
        var rows: [Int64: (id: Int64, key: String)] = [:]
        for try await (hash, id, stored) in try await conn.statement(candidates(hashes), logger: logger).decode((Int64, Int64, String).self)
        {
            rows[hash] = (id, stored)
        }
        var id: Int64?
        let (hash, found) = try StableHash.probe(key) { h in
            guard let row = rows[h] else { return .free }
            id = row.id
            return row.key == key ? .mine : .taken
        }
        return (hash, found ? id : nil)
    }

    /// Vehicles at any of these VIN hashes (they are one per VIN across the stores).
    static func vehicleCandidates(_ hashes: [Int64]) -> PostgresQuery {
        "SELECT vin_hash, id, vin FROM vehicles WHERE vin_hash = ANY(\(hashes))"
    }

    /// The vehicle of `vin`, if stored.
    static func vehicle(vin: String, _ conn: PostgresConnection, logger: Logger) async throws -> Int64? {
        try await walk(vin, candidates: vehicleCandidates, conn, logger: logger).id
    }
}

/// The customer statements: a returning customer takes the facts of the newest deal (the update applies only when this
/// deal is at least as new as the one that set the stored facts); consent is read through the opt-out ledger.
enum CustomerSQL {
    /// `$n` is `columns[n - 1]`; `consent_at` holds the import's instant (`$14`), also when consent that changed was
    /// recorded and when the row was updated.
    static let columns = [
        "store_id", "match_key", "first_name", "last_name", "email", "phone", "state", "zip", "customer_number",
        "consent_sms", "consent_email", "consent_phone", "consent_source", "consent_at", "last_deal_on", "match_hash",
    ]

    /// The consent a customer row takes on `channel`: what the ledger says of `address` when it says anything (stopped:
    /// off; restored: on), else the import's `flag`.
    static func ledgerConsent(_ channel: ContactChannel, address: String, flag: String) -> String {
        "COALESCE((SELECT NOT stopped FROM opt_out_state WHERE address = \(address) AND channel = '\(channel.rawValue)'), \(flag))"
    }

    /// The values a new customer row takes, `value(n)` being how column n is written (the consent read through the
    /// ledger), then `created_at` and `updated_at`.
    static func values(_ value: (Int) -> String) -> [String] {
        var values = (1...16).map(value)
        values[9] = ledgerConsent(.sms, address: value(6), flag: value(10))
        values[10] = ledgerConsent(.email, address: "lower(\(value(5)))", flag: value(11))
        values[11] = ledgerConsent(.phone, address: value(6), flag: value(12))
        return values + [value(14), value(14)]
    }

    /// `INSERT INTO customers AS t (…)`: the columns, then `created_at` and `updated_at`.
    static let into = "INSERT INTO customers AS t (\((columns + ["created_at", "updated_at"]).joined(separator: ", ")))"

    static let insert = "\(into)\nVALUES (\(values { "$\($0)" }.joined(separator: ", ")))"

    /// What an insert at a hash another row holds does: refresh that row when it is this key's and this deal is at
    /// least as new as the one that set its facts; nothing otherwise.
    static let onConflict = """
        ON CONFLICT (store_id, match_hash) DO UPDATE SET \(assignments({ "excluded.\(columns[$0 - 1])" }, throughLedger: false))
        WHERE t.match_key = excluded.match_key AND excluded.last_deal_on >= t.last_deal_on
        """

    static let upsert = "\(insert)\n\(onConflict)\nRETURNING id"

    static let update = """
        UPDATE customers t SET \(assignments({ "$\($0)" }, throughLedger: true)) WHERE t.id = $1 AND $15 >= t.last_deal_on
        """

    /// The SET clause that refreshes a returning customer; `value(n)` is how parameter n is written. A channel whose
    /// consent changes records this import as its own source; the others keep theirs.
    static func assignments(_ value: (Int) -> String, throughLedger: Bool) -> String {
        func consent(_ channel: ContactChannel, _ n: Int) -> String {
            let address = channel == .email ? "lower(\(value(5)))" : value(6)
            let v = throughLedger ? ledgerConsent(channel, address: address, flag: value(n)) : value(n)
            let c = channel.rawValue
            return """
                consent_\(c)_source = CASE WHEN t.consent_\(c) = \(v) THEN t.consent_\(c)_source ELSE \(value(13)) END,
                consent_\(c)_at = CASE WHEN t.consent_\(c) = \(v) THEN t.consent_\(c)_at ELSE \(value(14)) END,
                consent_\(c) = \(v)
                """
        }
        return """
            first_name = \(value(3)), last_name = \(value(4)), email = \(value(5)), phone = \(value(6)),
            state = \(value(7)), zip = \(value(8)), customer_number = COALESCE(\(value(9)), t.customer_number),
            \(consent(.sms, 10)), \(consent(.email, 11)), \(consent(.phone, 12)),
            last_deal_on = \(value(15)), updated_at = \(value(14))
            """
    }
}

/// The vehicle statements: `$1` is the VIN (insert, upsert) or the vehicle's id (update); a known in-service date is
/// never replaced by an estimate.
enum VehicleSQL {
    /// `$n` is `columns[n - 1]`.
    static let columns = ["vin", "year", "make", "model", "in_service_date", "in_service_estimated", "vin_hash"]

    /// `INSERT INTO vehicles AS t (…)`.
    static let into = "INSERT INTO vehicles AS t (\(columns.joined(separator: ", ")))"

    static let insert = "\(into) VALUES ($1, $2, $3, $4, $5, $6, $7)"

    static func assignments(_ value: (Int) -> String) -> String {
        """
        year = \(value(2)), make = \(value(3)), model = \(value(4)),
        in_service_date = CASE WHEN \(value(6)) AND NOT t.in_service_estimated THEN t.in_service_date ELSE \(value(5)) END,
        in_service_estimated = \(value(6)) AND t.in_service_estimated
        """
    }

    /// An insert at a hash another row holds refreshes it when it is this VIN's.
    static let onConflict = """
        ON CONFLICT (vin_hash) DO UPDATE SET \(assignments { "excluded.\(columns[$0 - 1])" })
        WHERE t.vin = excluded.vin
        """

    static let upsert = "\(insert)\n\(onConflict)\nRETURNING id"

    static let update = "UPDATE vehicles t SET \(assignments { "$\($0)" }) WHERE t.id = $1"
}
