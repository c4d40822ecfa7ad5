import AfterdeskCore
import Foundation
import Yams

/// Where messages go and how Afterdesk signs what it sends: read from a configuration file (YAML, keys as in
/// `docs/settings.md`), each overridden by its `AFTERDESK_…` environment variable.
public struct Settings: Sendable, Equatable {
    public var publicURL = "http://127.0.0.1:8080"
    public var smtpURL: String?
    public var smtpUser: String?
    public var smtpPassword: String?
    public var smtpCAFile: String?
    public var emailFrom: String?
    public var smsBaseURL = "https://api.twilio.com"
    public var smsAccountSID: String?
    public var smsAuthToken: String?
    public var smsFrom: String?
    public var crmLeadEmail: String?
    public var webhookURL: String?
    public var webhookSecret: String?
    /// Signs email unsubscribe links. Without one, a random secret is created and kept in the database.
    public var signingSecret: String?
    /// The dealership's physical address, in every email (CAN-SPAM); default: the menu's.
    public var storeAddress: String?
    /// The answer to HELP; default: the dealership's name and phone, and how to stop.
    public var helpText: String?
    /// A folder of page templates and a stylesheet that replace the built-in ones of the same name (docs/web.md).
    public var pageTemplatesDir: String?
    /// Hours after a task is due before it escalates to the store's manager.
    public var taskSLAHours = 24
    /// Addresses of reverse proxies whose `X-Forwarded-For` names the client (the offer page's limit per address).
    public var trustedProxies: [String] = []
    /// Tries before a message becomes a dead letter.
    public var maxAttempts = 6
    /// First retry delay in seconds; doubles each try, at most an hour.
    public var retryBaseSeconds = 60
    /// Sign-in limits (docs/security.md): failures of one name from one address, and from one address, within
    /// `signInWindowMinutes`; after `signInNameFailures` failures of a name in an hour, one check per
    /// `signInSlowSeconds`.
    public var signInUserAddressFailures = 5
    public var signInAddressFailures = 20
    public var signInWindowMinutes = 15
    public var signInNameFailures = 20
    public var signInSlowSeconds = 30
    public var signInNameWindowMinutes = 60
    public var signInKnownAddressDays = 30
    /// The HTTP server's timeouts and the age of a forgotten upload (Settings+Server.swift).
    public var server = ServerTimeouts()
    /// What the store registered to text (Settings+Registration.swift): shown to admins, kept for an audit.
    public var registration = TextingRegistration()
    /// What a message and a task cost (Settings+Costs.swift): the report's message costs.
    public var messageCosts = MessageCosts.standard
    /// The database's location when neither `--db` nor `AFTERDESK_DB` gives one (Settings+Database.swift).
    public var database: String?
    /// Where `serve` keeps uploads on PostgreSQL (Settings+Database.swift).
    public var uploadsDir: String?
    /// The connections one `serve` process keeps to PostgreSQL at most (Settings+Database.swift).
    public var databasePoolSize = 10

    public init() {}

    /// One setting: its key in the file and its environment variable.
    public struct Key: Sendable {
        public let file: String
        public let environment: String
        public let about: String
        let write: @Sendable (inout Settings, String) throws -> Void
    }

    /// Every key: these, then the server's (`ServerTimeouts.keys`) and the texting registration's.
    public static let keys: [Key] = generalKeys + ServerTimeouts.keys + TextingRegistration.keys + costKeys + databaseKeys

    static let generalKeys: [Key] = [
        key("public_url", "the URL customers and providers reach the server at (links, webhook signatures)") { $0.publicURL = $1 },
        key("smtp_url", "smtp://host:port (STARTTLS when the server offers it) or smtps://host:port (TLS)") { $0.smtpURL = $1 },
        key("smtp_user", "SMTP login") { $0.smtpUser = $1 },
        key("smtp_password", "SMTP password") { $0.smtpPassword = $1 },
        key("smtp_ca_file", "a PEM file of certificate authorities to trust for the SMTP server (a private CA); default: the system's") {
            $0.smtpCAFile = $1
        },
        key("email_from", "sender address of every email, e.g. Lakeside Motors <service@lakeside.example>") { $0.emailFrom = $1 },
        key("sms_base_url", "Twilio-compatible API base, default https://api.twilio.com") { $0.smsBaseURL = $1 },
        key("sms_account_sid", "SMS account") { $0.smsAccountSID = $1 },
        key("sms_auth_token", "SMS token; also the key that verifies inbound webhook signatures") { $0.smsAuthToken = $1 },
        key("sms_from", "sending number, E.164") { $0.smsFrom = $1 },
        key("crm_lead_email", "where ADF leads for tasks are emailed") { $0.crmLeadEmail = $1 },
        key("webhook_url", "where tasks are POSTed as signed JSON") { $0.webhookURL = $1 },
        key("webhook_secret", "HMAC-SHA256 key of the task webhook's signature") { $0.webhookSecret = $1 },
        key("signing_secret", "key of email unsubscribe links; default: random, kept in the database") { $0.signingSecret = $1 },
        key("store_address", "the dealership's physical address in every email; default: the menu's") { $0.storeAddress = $1 },
        key("help_text", "the reply to HELP") { $0.helpText = $1 },
        key("page_templates_dir", "a folder whose NAME.mustache and style.css replace the built-in web pages' files (docs/web.md)") {
            $0.pageTemplatesDir = $1
        },
        key("trusted_proxies", "comma-separated proxy addresses whose X-Forwarded-For names the client (sign-in and offer page limits)") {
            $0.trustedProxies = $1.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        },
        key("task_sla_hours", "hours after a task is due before it escalates to the manager (default 24)") {
            $0.taskSLAHours = try int($1, "task_sla_hours")
        },
        key("max_attempts", "tries before a message becomes a dead letter (default 6)") { $0.maxAttempts = try int($1, "max_attempts") },
        key("retry_base_seconds", "first retry delay; doubles each try up to an hour (default 60)") {
            $0.retryBaseSeconds = try int($1, "retry_base_seconds")
        },
        key("sign_in_user_address_failures", "failed sign-ins of one name from one address that lock the pair (default 5)") {
            $0.signInUserAddressFailures = try int($1, "sign_in_user_address_failures")
        },
        key("sign_in_address_failures", "failed sign-ins from one address that lock the address (default 20)") {
            $0.signInAddressFailures = try int($1, "sign_in_address_failures")
        },
        key("sign_in_window_minutes", "the window of those two limits, and how long a lock lasts (default 15)") {
            $0.signInWindowMinutes = try int($1, "sign_in_window_minutes")
        },
        key("sign_in_name_failures", "failures of one name in an hour, from any address, that slow its checks (default 20)") {
            $0.signInNameFailures = try int($1, "sign_in_name_failures")
        },
        key("sign_in_slow_seconds", "once slowed, seconds between two password checks of the name (default 30)") {
            $0.signInSlowSeconds = try int($1, "sign_in_slow_seconds")
        },
        key("sign_in_name_window_minutes", "the window of sign_in_name_failures (default 60)") {
            $0.signInNameWindowMinutes = try int($1, "sign_in_name_window_minutes")
        },
        key("sign_in_known_address_days", "an address a name signed in from within these days is never slowed (default 30)") {
            $0.signInKnownAddressDays = try int($1, "sign_in_known_address_days")
        },
    ]

    static func key(_ name: String, _ about: String, _ write: @escaping @Sendable (inout Settings, String) throws -> Void) -> Key {
        Key(file: name, environment: "AFTERDESK_" + name.uppercased(), about: about, write: write)
    }

    static func int(_ text: String, _ name: String) throws -> Int {
        guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n > 0 else {
            throw SettingsError("\(name): '\(text)' is not a positive whole number")
        }
        return n
    }

    /// Reads `yaml` (the file's text; nil when there is none), then the environment on top.
    public static func load(yaml: String?, file: String = "afterdesk.yaml", environment: [String: String]) throws -> Settings {
        var s = Settings()
        if let yaml, !yaml.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            let node: Node?
            do { node = try Yams.compose(yaml: yaml) } catch { throw SettingsError("\(file): not valid YAML: \(error)") }
            guard let mapping = node?.mapping else { throw SettingsError("\(file): expected key: value lines") }
            for (k, v) in mapping {
                let name = k.string ?? ""
                let line = k.mark?.line ?? 0
                guard let key = keys.first(where: { $0.file == name }) else {
                    throw SettingsError("\(file):\(line): unknown setting '\(name)'")
                }
                guard let value = v.scalar?.string else { throw SettingsError("\(file):\(line): \(name) must be a single value") }
                do { try key.write(&s, value) } catch let e as SettingsError { throw SettingsError("\(file):\(line): \(e.description)") }
            }
        }
        for key in keys {
            if let value = environment[key.environment], !value.isEmpty {
                do { try key.write(&s, value) } catch let e as SettingsError { throw SettingsError("\(key.environment): \(e.description)") }
            }
        }
        return s
    }

    public var backoff: Backoff { Backoff(base: Double(retryBaseSeconds), cap: 3_600, maxAttempts: maxAttempts) }
}

public struct SettingsError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}
