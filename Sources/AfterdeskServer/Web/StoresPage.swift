import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird

/// `/admin/stores`: a group's rooftops as they run — each store's dealership, menu and settings, with whose each value
/// is — and the form that sets or clears a store's own setting (`afterdesk stores set`). Admins only.
struct StoresPageController: Sendable {
    let ctx: ServerContext
    let pages: Pages

    struct Page: PageModel {
        static let template = "stores"
        struct Store: Sendable, Equatable {
            var code: String
            var name: String
            var timeZone: String
            var address: String
            var phone: String
            var hours: String
            var menu: String
            var products: String
            var deals: Int
            var settings: [StoreProfile.Setting]
        }
        var layout: Layout
        var stores: [Store]
        var keys: [String]
        var error: String?
        /// Whether there is a store to set a setting of (the template shows the form then).
        var hasStores = false
    }

    func addRoutes(to router: RouterGroup<PageContext>) {
        router.get(RouterPath(WebPaths.adminStores)) { _, context -> Response in
            try await pages.response(try page(context.user, error: nil))
        }
        router.post(RouterPath(WebPaths.adminStores)) { request, context -> Response in try await act(request, context: context) }
    }

    func page(_ user: SignedIn, error: String?) async throws -> Page {
        let profiles = StoreProfiles.make(
            menu: ctx.dispatcher.menu, settings: ctx.settings, rows: try await ctx.database.stores(),
            own: try await ctx.database.storeSettings()
        ).filter { user.principal.mayReach($0.code) }
        return Page(
            layout: .page("Stores", for: user, current: WebPaths.adminStores),
            stores: profiles.map { p in
                Page.Store(
                    code: p.code, name: p.name, timeZone: p.timeZone, address: p.address, phone: p.phone ?? "", hours: p.hours,
                    menu: p.ownMenu
                        ? "its own (stores: in the menu), holdout \(p.holdoutPercent)%" : "the group's, holdout \(p.holdoutPercent)%",
                    products: p.products.joined(separator: ", "), deals: p.deals, settings: p.settings)
            }, keys: Settings.storeKeys, error: error, hasStores: !profiles.isEmpty)
    }

    /// The form: `store`, `key`, and `value` to set it or `action=clear` to clear it.
    struct Form: Decodable {
        var action: String?
        var store: String?
        var key: String?
        var value: String?
    }

    func act(_ request: Request, context: PageContext) async throws -> Response {
        let user = context.user
        let f = try await decodeForm(Form.self, request)
        do {
            guard let store = present(f.store) else { throw StoreError("choose a store") }
            // Another store's settings do not exist for an admin of some stores.
            guard user.principal.mayReach(store) else { throw AppError(.notFound, "No store \(store).") }
            guard let key = present(f.key), Settings.storeKeys.contains(key) else { throw StoreError("choose one of the store's settings") }
            let value: String?
            if f.action == "clear" {
                value = nil
            } else {
                guard let given = present(f.value) else { throw StoreError("give a value, or clear the setting") }
                do { try Settings.checkStoreSetting(key, given) } catch { throw StoreError(error.description) }
                value = given
            }
            try await ctx.database.setStoreSetting(store: store, key: key, value: value, now: ctx.clock.now())
            // Which user, store and key: never the value (a webhook address may hold a secret).
            ctx.logger.info(
                "store setting change", metadata: ["user": "\(user.principal.name)", "store": "\(store)", "key": "\(key)"])
            return seeOther(WebPaths.adminStores)
        } catch let e as StoreError where e.kind != .io && e.kind != .integrity {
            return try await pages.response(try page(user, error: e.message), status: .unprocessableContent)
        }
    }
}
