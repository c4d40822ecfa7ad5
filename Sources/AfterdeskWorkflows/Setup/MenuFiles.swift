import AfterdeskCore
import AfterdeskStorage
import Foundation

/// Where the menu in force comes from: `--menu PATH`, else `menus/default.yaml` in the current
/// directory, else the menu stored with the database, else the default built into the binary.
/// The warranty table is `warranties.yaml` beside the menu file, with the same fallbacks.
public enum MenuFiles {
    /// Loads the menu in force and stores its text with the database so later commands agree.
    /// `workingDirectory` is where `menus/default.yaml` is looked for (the current directory by default).
    public static func resolve(
        path: String?, database: (any Storage)?,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) async throws -> MenuInForce {
        let fm = FileManager.default
        var menuText: String?
        var menuName = ""
        var warrantyText: String?
        var warrantyName = ""
        let local = (workingDirectory as NSString).appendingPathComponent("menus/default.yaml")
        let candidate = path ?? (fm.fileExists(atPath: local) ? "menus/default.yaml" : nil)
        if let candidate {
            let full = candidate.hasPrefix("/") ? candidate : (workingDirectory as NSString).appendingPathComponent(candidate)
            menuText = try readText(full)
            menuName = candidate
            let beside = ((full as NSString).deletingLastPathComponent as NSString).appendingPathComponent("warranties.yaml")
            if fm.fileExists(atPath: beside) {
                warrantyText = try readText(beside)
                warrantyName = beside
            }
        }
        let stored = try await database?.storedMenu()
        if menuText == nil, let text = stored?.menu {
            menuText = text
            menuName = "(menu stored with the database)"
        }
        if warrantyText == nil, let text = stored?.warranties {
            warrantyText = text
            warrantyName = "(warranties stored with the database)"
        }
        if menuText == nil {
            menuText = DefaultMenus.menuYAML
            menuName = "(built-in default menu)"
        }
        if warrantyText == nil {
            warrantyText = DefaultMenus.warrantiesYAML
            warrantyName = "(built-in default warranties)"
        }
        let menuYAML = menuText ?? DefaultMenus.menuYAML
        let warrantiesYAML = warrantyText ?? DefaultMenus.warrantiesYAML
        let menu = try MenuLoader.loadMenu(yaml: menuYAML, file: menuName)
        let warranties = try MenuLoader.loadWarranties(yaml: warrantiesYAML, file: warrantyName)
        let inForce = MenuInForce(menu: menu, warranties: warranties, source: menuName, menuText: menuYAML, warrantiesText: warrantiesYAML)
        try await database?.storeMenu(inForce)
        return inForce
    }

    /// The built-in group menu (menus/group.yaml: three rooftops in three states) with the built-in warranties: what
    /// `afterdesk demo --group` runs.
    public static func builtInGroup() throws -> MenuInForce {
        let source = "(built-in group menu)"
        return MenuInForce(
            menu: try MenuLoader.loadMenu(yaml: DefaultMenus.groupYAML, file: source),
            warranties: try MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "(built-in default warranties)"),
            source: source, menuText: DefaultMenus.groupYAML, warrantiesText: DefaultMenus.warrantiesYAML)
    }

    public static func readText(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MenuErrors(issues: [MenuIssue(file: path, line: 0, field: "(file)", message: "cannot read the file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw MenuErrors(issues: [MenuIssue(file: path, line: 0, field: "(file)", message: "not UTF-8 text")])
        }
        return text
    }
}
