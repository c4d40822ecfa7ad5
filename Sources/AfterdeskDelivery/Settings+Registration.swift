import Foundation

/// The facts a store needs on record before it texts customers (issue 24, item 6): its carrier registration (US
/// carriers accept application-to-person texts from a 10-digit number only under a registered A2P 10DLC brand and
/// campaign, from The Campaign Registry) and, for a Texas store, the basis on which it texts under Tex. Bus. & Com.
/// Code ch. 302. Afterdesk does not decide them; it keeps them where an admin and an auditor see them.
public struct TextingRegistration: Sendable, Equatable {
    public var brandID: String?
    public var campaignID: String?
    public var texas: TexasBasis?

    public init() {}

    /// Why a Texas store may text without, or with, a registration under ch. 302.
    public enum TexasBasis: Sendable, Equatable {
        /// §302.058(2): solicits only its own current or former customers, under the same business name for at least
        /// two years.
        case customerExemption
        /// Another exemption of §302.057–.0595, as the store's counsel names it.
        case otherExemption(String)
        /// Texts only customers who gave consent (no registration needed: the Texas Attorney General's
        /// November 2025 settlement and the Secretary of State's guidance).
        case consentOnly
        /// Registered with the Secretary of State under this number.
        case registered(String)

        /// `customer-exemption`, `exemption: TEXT`, `consent-only` or `registered: NUMBER`.
        public init?(_ text: String) {
            let t = text.trimmingCharacters(in: .whitespaces)
            func rest(_ prefix: String) -> String? {
                guard t.lowercased().hasPrefix(prefix) else { return nil }
                let r = t.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
                return r.isEmpty ? nil : r
            }
            switch t.lowercased() {
            case "customer-exemption": self = .customerExemption
            case "consent-only": self = .consentOnly
            default:
                if let r = rest("exemption:") {
                    self = .otherExemption(r)
                } else if let r = rest("registered:") {
                    self = .registered(r)
                } else {
                    return nil
                }
            }
        }

        public var description: String {
            switch self {
            case .customerExemption:
                return "exempt under §302.058(2): texts only its own current or former customers, same business name for 2 years or more"
            case .otherExemption(let what): return "exempt: \(what)"
            case .consentOnly: return "texts only customers who gave consent (no registration needed)"
            case .registered(let number): return "registered with the Texas Secretary of State, number \(number)"
            }
        }
    }

    static let keys: [Settings.Key] = [
        Settings.key("a2p_brand_id", "the store's A2P 10DLC brand id (The Campaign Registry), for the record") {
            $0.registration.brandID = try Self.identifier($1, "a2p_brand_id")
        },
        Settings.key("a2p_campaign_id", "the store's A2P 10DLC campaign id, for the record") {
            $0.registration.campaignID = try Self.identifier($1, "a2p_campaign_id")
        },
        Settings.key(
            "texas_registration",
            "a Texas store's basis for texting: customer-exemption, exemption: TEXT, consent-only or registered: NUMBER"
        ) {
            guard let basis = TexasBasis($1) else {
                throw SettingsError(
                    "texas_registration: '\($1)' is not customer-exemption, exemption: TEXT, consent-only or registered: NUMBER")
            }
            $0.registration.texas = basis
        },
    ]

    static func identifier(_ text: String, _ name: String) throws -> String {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(t.count), t.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw SettingsError("\(name): '\(text)' is not an id of letters, digits, - and _")
        }
        return t
    }

    /// What the admin page says, one line each; a missing fact says what it is missing for.
    public func lines(texasStore: Bool) -> [String] {
        var out: [String] = []
        if let b = brandID, let c = campaignID {
            out.append("A2P 10DLC: brand \(b), campaign \(c).")
        } else {
            out.append(
                "A2P 10DLC brand and campaign not recorded (a2p_brand_id, a2p_campaign_id): carriers block texts from an unregistered number."
            )
        }
        if let texas {
            out.append("Texas: \(texas.description).")
        } else if texasStore {
            out.append("Texas basis for texting not recorded (texas_registration): confirm it with counsel (docs/compliance.md).")
        }
        return out
    }
}
