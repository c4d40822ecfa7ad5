import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// One dispatcher at a time per database, across processes: an advisory lock on `<database>.dispatch.lock`. The
/// kernel releases it when the process dies, even by kill -9, so a crashed dispatch never blocks the next.
public final class DispatchLock: Sendable {
    let fd: Int32
    public static func acquire(databasePath: String) -> DispatchLock? {
        let fd = open(databasePath + ".dispatch.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            return nil
        }
        return DispatchLock(fd: fd)
    }
    init(fd: Int32) { self.fd = fd }
    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

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
