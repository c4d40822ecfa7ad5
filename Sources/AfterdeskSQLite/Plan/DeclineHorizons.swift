import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// Records the horizon of every decline planned (`decline_horizons`, v14), held-out ones too, but for a product
    /// whose horizon follows from the contract date, which the report computes as it reads (three rows in four in the
    /// shipped menu: tire & wheel, appearance, maintenance, the GAP waiver). A decline no longer planned (bought since,
    /// stopped) keeps the horizon it was last planned with: its facts at contract have not changed.
    func writeHorizons(_ plans: [PlannedChunk.Plan], db: Database) throws {
        guard plans.contains(where: \.storesHorizon) else { return }
        let s = try RawStatement(
            db, "INSERT OR REPLACE INTO decline_horizons (deal_id, product_code, horizon_until) VALUES (?1, ?2, ?3)")
        for p in plans where p.storesHorizon {
            s.bind(1, p.dealID)
            s.bind(2, p.product)
            s.bind(3, p.horizon)
            try s.run()
        }
    }
}
