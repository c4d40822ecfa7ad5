import AfterdeskCore
import Foundation
import Testing

/// The menu's zone is checked when it loads and keeps the name it was given.
@Suite struct StoreZoneNameTests {
    func menu(zone: String) throws -> Menu {
        let yaml = DefaultMenus.menuYAML.replacingOccurrences(of: "time_zone: America/Chicago", with: "time_zone: \(zone)")
        #expect(yaml != DefaultMenus.menuYAML)
        return try MenuLoader.loadMenu(yaml: yaml, file: "menu.yaml")
    }

    /// Foundation names the zone of "UTC" "GMT": the store's row and pages keep the menu's word.
    @Test func utcStaysUTC() throws {
        let m = try menu(zone: "UTC")
        #expect(m.dealership.timeZone == "UTC")
        #expect(m.dealership.zone.secondsFromGMT() == 0)
        #expect(try menu(zone: "America/Denver").dealership.timeZone == "America/Denver")
    }

    @Test func anUnknownZoneDoesNotLoad() {
        #expect(throws: MenuErrors.self) { try menu(zone: "Mars/Olympus") }
    }
}
