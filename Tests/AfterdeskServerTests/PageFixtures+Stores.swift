import AfterdeskCore
import AfterdeskWorkflows
import Foundation

@testable import AfterdeskServer

extension PageSnapshotTests {
    /// `/admin/stores` of the shipped group menu's Tampa store with its own number, and a store reading the group's menu.
    static var stores: StoresPageController.Page {
        let tampa = StoresPageController.Page.Store(
            code: "tampa", name: "Bayshore Kia", timeZone: "America/New_York", address: "800 Bayshore Boulevard, Tampa, FL 33606",
            phone: "(813) 555-0123", hours: "9:00–20:00", menu: "its own (stores: in the menu), holdout 10%",
            products: "vsc, gap, tire_wheel, appearance, maintenance", deals: 412,
            settings: [
                .init(key: "sms_from", value: "+18135550100", source: "store"), .init(key: "task_sla_hours", value: "24", source: "group"),
            ])
        let main = StoresPageController.Page.Store(
            code: "main", name: "Lakeside Motors", timeZone: "America/Chicago", address: "1200 Lakeshore Drive, Austin, TX 78701",
            phone: "", hours: "9:00–19:00, closed Sundays", menu: "the group's, holdout 10%",
            products: "vsc, gap, tire_wheel, appearance, maintenance", deals: 0, settings: [])
        return StoresPageController.Page(
            layout: layout("Stores", WebPaths.adminStores, role: .admin), stores: [main, tampa], keys: ["sms_from", "help_text"],
            error: "sms_from: '555-0100' is not a number in E.164 form, such as +18135550123", hasStores: true)
    }
}
