import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation

/// One store of a group as it runs: its menu's dealership and products, and each of its settings with where the value
/// comes from (`afterdesk stores show`, `/admin/stores`).
public struct StoreProfile: Sendable, Equatable, Codable {
    public struct Setting: Sendable, Equatable, Codable {
        public var key: String
        public var value: String
        /// `store`: the store's own (`afterdesk stores set`); `group`: the settings file or environment's.
        public var source: String
        public init(key: String, value: String, source: String) {
            self.key = key
            self.value = value
            self.source = source
        }
    }
    public var code: String
    public var name: String
    public var timeZone: String
    public var address: String
    public var phone: String?
    public var hours: String
    /// Whether the menu names the store (`stores:`); otherwise it reads the group's menu.
    public var ownMenu: Bool
    public var holdoutPercent: Int
    public var products: [String]
    public var deals: Int
    public var settings: [Setting]

    enum CodingKeys: String, CodingKey {
        case code, name, address, phone, hours, products, deals, settings
        case timeZone = "time_zone"
        case ownMenu = "own_menu"
        case holdoutPercent = "holdout_percent"
    }
}

public enum StoreProfiles {
    /// Every store the database or the menu knows, by code.
    public static func make(menu: Menu, settings: Settings, rows: [StoreRow], own: [String: [String: String]]) -> [StoreProfile] {
        let codes = Set(rows.map(\.code)).union(menu.stores.keys).sorted()
        return codes.map { code in
            let m = menu.store(code)
            let d = m.dealership
            let mine = own[code] ?? [:]
            let effective = settings.forStore(mine)
            let listed: [StoreProfile.Setting] = Settings.storeKeys.compactMap { key in
                guard let value = effective.storeValue(key) else { return nil }
                return StoreProfile.Setting(key: key, value: value, source: mine[key] != nil ? "store" : "group")
            }
            return StoreProfile(
                code: code, name: menu.stores[code] != nil ? d.name : rows.first { $0.code == code }?.name ?? d.name,
                timeZone: d.timeZone, address: mine["store_address"] ?? d.address, phone: d.phone, hours: d.hours.description,
                ownMenu: menu.stores[code] != nil, holdoutPercent: m.holdoutPercent, products: m.products.map(\.code),
                deals: rows.first { $0.code == code }?.deals ?? 0, settings: listed)
        }
    }
}

extension Settings {
    /// The value of one of a store's own settings keys, as it is in force.
    public func storeValue(_ key: String) -> String? {
        switch key {
        case "sms_from": return smsFrom
        case "email_from": return emailFrom
        case "store_address": return storeAddress
        case "help_text": return helpText
        case "crm_lead_email": return crmLeadEmail
        case "webhook_url": return webhookURL
        case "task_sla_hours": return String(taskSLAHours)
        case "a2p_brand_id": return registration.brandID
        case "a2p_campaign_id": return registration.campaignID
        case "texas_registration":
            switch registration.texas {
            case .customerExemption: return "customer-exemption"
            case .consentOnly: return "consent-only"
            case .otherExemption(let what): return "exemption: \(what)"
            case .registered(let number): return "registered: \(number)"
            case nil: return nil
            }
        default: return nil
        }
    }
}
