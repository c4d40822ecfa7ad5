import AfterdeskCore
import Foundation
import Mustache

/// One rendered email.
public struct RenderedEmail: Sendable, Equatable {
    public var subject: String
    public var text: String
    public var html: String
}

/// A template problem: the file, the line, and what is wrong.
public struct TemplateIssue: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var reason: String
    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }
    public var description: String { "\(file):\(line): \(reason)" }
}

public struct TemplateErrors: Error, Sendable, CustomStringConvertible {
    public var issues: [TemplateIssue]
    public init(issues: [TemplateIssue]) { self.issues = issues }
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

/// The message templates of `templates/`: `<name>.sms.mustache` (the SMS text) and `<name>.email.mustache`
/// (a `subject:` line, then `--- text` and `--- html` sections). Loading checks every rule a message must keep:
/// an SMS ends with the opt-out line and fits `maxSegments`; an email has a subject and carries the unsubscribe
/// link and the dealership's address in both parts.
public struct MessageTemplates: Sendable {
    struct Email: Sendable {
        var subject: MessageTemplate
        var text: MessageTemplate
        var html: MessageTemplate
    }
    var sms: [String: MessageTemplate] = [:]
    var email: [String: Email] = [:]
    public var maxSegments: Int

    public var smsNames: [String] { sms.keys.sorted() }
    public var emailNames: [String] { email.keys.sorted() }

    /// Text pragma: SMS, subjects and text parts are not HTML, so `&` stays `&`.
    static let textPragma = "{{% CONTENT_TYPE: TEXT }}"

    /// Loads templates from (file name, text) pairs, checking each against `sample`.
    public static func load(
        files: [(name: String, text: String)], directory: String = "templates", sample: MessageFacts,
        maxSegments: Int = 3
    ) throws(TemplateErrors) -> MessageTemplates {
        var out = MessageTemplates(maxSegments: maxSegments)
        var issues: [TemplateIssue] = []
        for (fileName, text) in files.sorted(by: { $0.name < $1.name }) {
            var file = TemplateFile(path: directory + "/" + fileName, text: text)
            if fileName.hasSuffix(".sms.mustache") {
                if let t = file.sms(sample: sample, maxSegments: maxSegments) {
                    out.sms[String(fileName.dropLast(".sms.mustache".count))] = t
                }
            } else if fileName.hasSuffix(".email.mustache") {
                if let e = file.email(sample: sample) { out.email[String(fileName.dropLast(".email.mustache".count))] = e }
            } else if fileName.hasSuffix(".mustache") {
                file.issue(line: 1, "unknown kind of template: name it <name>.sms.mustache or <name>.email.mustache")
            }
            issues += file.issues
        }
        if !issues.isEmpty { throw TemplateErrors(issues: issues) }
        return out
    }

    /// Reads every `*.mustache` file of `directory`.
    public static func load(directory: String, sample: MessageFacts, maxSegments: Int = 3) throws -> MessageTemplates {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder), isFolder.boolValue else {
            let whereFrom = directory.hasPrefix("/") ? "" : " (from \(FileManager.default.currentDirectoryPath))"
            throw TemplateErrors(issues: [
                TemplateIssue(
                    file: directory, line: 0,
                    reason: "no such folder\(whereFrom): run Afterdesk in the folder that holds the message templates (templates/), "
                        + "or give it with --templates")
            ])
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".mustache") }
        let files = try names.map { ($0, try String(contentsOfFile: directory + "/" + $0, encoding: .utf8)) }
        return try load(files: files, directory: directory, sample: sample, maxSegments: maxSegments)
    }

    /// The templates each message touch of the menu needs and that are missing.
    public func missing(for menu: Menu, directory: String = "templates") -> [TemplateIssue] {
        var out: [TemplateIssue] = []
        var seen = Set<String>()
        // Every store's products: a store may time a product its own way, or sell one of its own.
        for p in menu.productsOfEveryStore
        where seen.insert(p.code + "|" + p.timing.touches.map(\.template).joined(separator: ",")).inserted {
            for t in p.timing.touches where t.action == .message && !out.contains(where: { $0.file.contains("/\(t.template).") }) {
                if sms[t.template] == nil {
                    out.append(
                        TemplateIssue(
                            file: "\(directory)/\(t.template).sms.mustache", line: 0,
                            reason: "missing: product \(p.code), touch \(t.name) can be an SMS"))
                }
                if email[t.template] == nil {
                    out.append(
                        TemplateIssue(
                            file: "\(directory)/\(t.template).email.mustache", line: 0,
                            reason: "missing: product \(p.code), touch \(t.name) can be an email"))
                }
            }
        }
        return out
    }

    public func renderSMS(_ name: String, facts: MessageFacts) -> String? {
        sms[name].map { $0.render(facts.values, facts).trimmingBlanks(newlines: true) }
    }

    public func renderEmail(_ name: String, facts: MessageFacts) -> RenderedEmail? {
        guard let e = email[name] else { return nil }
        let v = facts.values
        // A subject is one line: whatever the facts hold.
        let subject = MessageTemplates.oneLine(e.subject.render(v, facts))
        return RenderedEmail(subject: subject, text: e.text.render(v, facts), html: e.html.render(v, facts))
    }
}

extension MessageTemplates {
    /// A subject's text on one line: CR and LF made spaces (as Foundation's `replacingOccurrences` does, only when the
    /// text has one), blanks trimmed.
    static func oneLine(_ text: String) -> String {
        let flat =
            text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D })
            ? text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ") : text
        return flat.trimmingBlanks(newlines: false)
    }
}

/// One part of a message template: parsed by swift-mustache, which checks its syntax and renders what
/// `CompiledTemplate` does not, and compiled, which renders the rest.
struct MessageTemplate: Sendable {
    let mustache: MustacheTemplate
    let compiled: CompiledTemplate?

    init(string: String) throws {
        mustache = try MustacheTemplate(string: string)
        compiled = CompiledTemplate.compile(string)
    }

    /// The text for `facts`, whose `values` are `values`.
    func render(_ values: [String: MustacheValue], _ facts: MessageFacts) -> String {
        compiled?.render(values) ?? mustache.render(facts.context)
    }

    func render(_ facts: MessageFacts) -> String { render(facts.values, facts) }
}

/// One template file being loaded: its parts parsed and checked against sample facts, with what is wrong by line.
struct TemplateFile {
    let path: String
    let text: String
    let lines: [Substring]
    /// The last line with text, where an issue about the whole message is reported.
    let lastLine: Int
    private(set) var issues: [TemplateIssue] = []

    init(path: String, text: String) {
        self.path = path
        self.text = text
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lastLine = max(1, lines.last == "" ? lines.count - 1 : lines.count)
    }

    mutating func issue(line: Int, _ reason: String) { issues.append(TemplateIssue(file: path, line: line, reason: reason)) }

    /// Parses `source`, which starts on line `firstLine` of the file; text parts do not escape HTML.
    mutating func parse(_ source: String, text isText: Bool, firstLine: Int) -> MessageTemplate? {
        do {
            return try MessageTemplate(string: (isText ? MessageTemplates.textPragma : "") + source)
        } catch let e as MustacheTemplate.ParserError {
            issue(
                line: firstLine + e.context.lineNumber - 1,
                "Mustache syntax: \(e.error) near \"\(e.context.line.trimmingCharacters(in: .whitespaces))\"")
        } catch {
            issue(line: firstLine, "Mustache syntax: \(error)")
        }
        return nil
    }

    /// An SMS must end with the opt-out line and fit in `maxSegments` segments with the sample facts.
    mutating func sms(sample: MessageFacts, maxSegments: Int) -> MessageTemplate? {
        guard let t = parse(text, text: true, firstLine: 1) else { return nil }
        let rendered = t.render(sample).trimmingBlanks(newlines: true)
        if !rendered.hasSuffix(MessageFacts.optOutLine) {
            issue(line: lastLine, "an SMS must end with the opt-out line \"\(MessageFacts.optOutLine)\" ({{opt_out}})")
            return nil
        }
        let encoding = SMSEncoding(rendered)
        if encoding.segments > maxSegments {
            let units = encoding.alphabet == .gsm7 ? "GSM-7 characters" : "UCS-2 units"
            issue(
                line: lastLine,
                "too long: \(encoding.units) \(units) make \(encoding.segments) segments with sample facts (at most \(maxSegments))")
            return nil
        }
        return t
    }

    /// An email is a `subject:` line, then `--- text` and `--- html` parts; both parts need the unsubscribe link and
    /// the dealership's address, and the subject must not pose as a reply or a forward.
    mutating func email(sample: MessageFacts) -> MessageTemplates.Email? {
        guard let first = lines.first, first.lowercased().hasPrefix("subject:") else {
            issue(line: 1, "the first line must be \"subject: …\"")
            return nil
        }
        guard let textMark = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "--- text" }),
            let htmlMark = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "--- html" }), textMark < htmlMark
        else {
            issue(line: 2, "an email needs a \"--- text\" line, then a \"--- html\" line, each followed by its part")
            return nil
        }
        let subjectSource = String(first.dropFirst("subject:".count)).trimmingCharacters(in: .whitespaces)
        let textSource = lines[(textMark + 1)..<htmlMark].joined(separator: "\n")
        let htmlSource = lines[(htmlMark + 1)...].joined(separator: "\n")
        guard let s = parse(subjectSource, text: true, firstLine: 1), let tx = parse(textSource, text: true, firstLine: textMark + 2),
            let h = parse(htmlSource, text: false, firstLine: htmlMark + 2)
        else { return nil }
        let before = issues.count
        checkSubject(s.render(sample).trimmingBlanks(newlines: false))
        var advertising = sample
        advertising.advertisement = true
        for (part, template, endLine, escape) in [("text", tx, htmlMark, false), ("html", h, lastLine, true)] {
            if !template.render(advertising).lowercased().contains("advertisement") {
                issue(
                    line: endLine,
                    "the \(part) part does not say it is an advertisement when email consent was not affirmative "
                        + "({{#advertisement}}…{{/advertisement}}, CAN-SPAM)")
            }
            let rendered = template.render(sample)
            // As the HTML part escapes them (an address with an apostrophe, "O'Neil Rd", reads "O&#39;Neil Rd" there), or
            // as they are (`{{{dealership.address}}}`).
            func holds(_ value: String) -> Bool {
                rendered.contains(value) || (escape && rendered.contains(HTMLText.escaped(value)))
            }
            if !holds(sample.unsubscribeURL) {
                issue(line: endLine, "the \(part) part has no unsubscribe link ({{unsubscribe_url}})")
            }
            if !holds(sample.dealershipAddress) {
                issue(line: endLine, "the \(part) part lacks the dealership's physical address ({{dealership.address}})")
            }
        }
        return issues.count == before ? MessageTemplates.Email(subject: s, text: tx, html: h) : nil
    }

    private mutating func checkSubject(_ subject: String) {
        let lowered = subject.lowercased()
        if subject.isEmpty {
            issue(line: 1, "the subject is empty")
        } else if lowered.hasPrefix("re:") || lowered.hasPrefix("fw:") || lowered.hasPrefix("fwd:") {
            issue(line: 1, "a subject must not pretend to be a reply or a forward (CAN-SPAM)")
        }
    }
}
