import AfterdeskCore
import AfterdeskStorage
import Foundation

/// The menu in force is stored with the database (as the YAML texts it was read from), so every later command on
/// the database plans with the same menu. Reading files is the edge's business (`MenuFiles` in AfterdeskWorkflows).
extension AfterdeskDatabase {
    static let menuKey = "menu.yaml"
    static let warrantiesKey = "warranties.yaml"

    /// The menu and warranty texts stored with the database, when there are any.
    public func storedMenu() async throws -> (menu: String?, warranties: String?) {
        (try await setting(Self.menuKey), try await setting(Self.warrantiesKey))
    }

    /// Stores the texts of the menu in force, and the rows of the stores it names (`stores:`).
    public func storeMenu(_ inForce: MenuInForce) async throws {
        try await setSetting(Self.menuKey, inForce.menuText)
        try await setSetting(Self.warrantiesKey, inForce.warrantiesText)
        try await putStores(of: inForce.menu, now: clock.now())
    }
}
