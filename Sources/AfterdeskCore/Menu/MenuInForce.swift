/// The menu and warranty table in force, with the texts they were read from (stored with a database so later
/// commands agree). Where they come from is decided at the edge: `MenuFiles` in AfterdeskWorkflows.
public struct MenuInForce: Sendable {
    public var menu: Menu
    public var warranties: WarrantyTable
    /// Where it was read from, for messages.
    public var source: String
    /// The texts read, as stored with a database.
    public var menuText: String
    public var warrantiesText: String

    public init(menu: Menu, warranties: WarrantyTable, source: String, menuText: String, warrantiesText: String) {
        self.menu = menu
        self.warranties = warranties
        self.source = source
        self.menuText = menuText
        self.warrantiesText = warrantiesText
    }
}
