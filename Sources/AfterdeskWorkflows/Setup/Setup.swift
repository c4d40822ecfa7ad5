import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import Logging

/// Loads what dispatch needs from files: settings, templates.
public enum DispatchSetup {
    /// The configuration file: `path`, else `$AFTERDESK_CONFIG`, else `afterdesk.yaml` here when it exists.
    public static func settings(path: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Settings {
        let file = path ?? environment["AFTERDESK_CONFIG"] ?? "afterdesk.yaml"
        let text: String?
        if FileManager.default.fileExists(atPath: file) {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } else if path != nil || environment["AFTERDESK_CONFIG"] != nil {
            throw SettingsError("\(file): no such configuration file")
        } else {
            text = nil
        }
        return try Settings.load(yaml: text, file: file, environment: environment)
    }

    /// The templates of `directory`, checked against the menu: every message touch has its SMS and email.
    public static func templates(directory: String, menu: Menu) throws -> MessageTemplates {
        let sample = MessageFacts.sample(dealership: menu.dealership)
        let templates = try MessageTemplates.load(directory: directory, sample: sample)
        let missing = templates.missing(for: menu, directory: directory)
        if !missing.isEmpty { throw TemplateErrors(issues: missing) }
        return templates
    }
}
