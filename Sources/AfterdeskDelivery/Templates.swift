import AfterdeskCore
import Foundation
import Mustache

/// The facts a message may mention, for one customer and the products of one touch. Every variable is listed
/// in docs/templates.md.
public struct MessageFacts: Sendable, Equatable {
    public struct Product: Sendable, Equatable {
        public var code: String
        public var name: String
        public var provider: String
        public var quoted: Money
        public var eligibleUntil: LocalDate?
        public init(code: String, name: String, provider: String, quoted: Money, eligibleUntil: LocalDate?) {
            self.code = code
            self.name = name
            self.provider = provider
            self.quoted = quoted
            self.eligibleUntil = eligibleUntil
        }
    }
    public var firstName: String
    public var lastName: String
    public var dealershipName: String
    public var dealershipAddress: String
    public var dealershipPhone: String?
    public var vehicleYear: Int
    public var vehicleMake: String
    public var vehicleModel: String
    public var dealNumber: String
    /// The product the template is about, then the others merged into the same touch.
    public var product: Product
    public var others: [Product]
    public var warrantyEnds: LocalDate?
    /// `time` or `miles`: which limit ends the basic warranty first.
    public var warrantyLimit: String?
    public var warrantyMiles: Int?
    public var gapExposureEnds: LocalDate?
    public var staffName: String?
    public var unsubscribeURL: String
    public var today: LocalDate
    /// The customer's offer page for the touch's first product (`/o/{token}`), when the message carries one.
    public var offerURL: String?
    /// The email must say it is an advertisement: the customer's email consent is not affirmative (CAN-SPAM,
    /// 15 U.S.C. §7704(a)(5)(A)).
    public var advertisement = false

    public init(
        firstName: String, lastName: String, dealershipName: String, dealershipAddress: String, dealershipPhone: String?,
        vehicleYear: Int, vehicleMake: String, vehicleModel: String, dealNumber: String, product: Product, others: [Product],
        warrantyEnds: LocalDate?, warrantyLimit: String?, warrantyMiles: Int?, gapExposureEnds: LocalDate?, staffName: String?,
        unsubscribeURL: String, today: LocalDate
    ) {
        self.firstName = firstName
        self.lastName = lastName
        self.dealershipName = dealershipName
        self.dealershipAddress = dealershipAddress
        self.dealershipPhone = dealershipPhone
        self.vehicleYear = vehicleYear
        self.vehicleMake = vehicleMake
        self.vehicleModel = vehicleModel
        self.dealNumber = dealNumber
        self.product = product
        self.others = others
        self.warrantyEnds = warrantyEnds
        self.warrantyLimit = warrantyLimit
        self.warrantyMiles = warrantyMiles
        self.gapExposureEnds = gapExposureEnds
        self.staffName = staffName
        self.unsubscribeURL = unsubscribeURL
        self.today = today
    }

    /// The line every SMS ends with.
    public static let optOutLine = "Reply STOP to opt out."

    /// The Mustache context: names as in docs/templates.md.
    public var context: [String: Any] {
        func values(_ p: Product) -> [String: Any] {
            var d: [String: Any] = ["code": p.code, "name": p.name, "provider": p.provider, "quoted_price": p.quoted.formatted]
            if let u = p.eligibleUntil {
                d["available_until"] = Words.longDate(u)
                d["days_left"] = today.days(until: u)
            }
            return d
        }
        var dealership: [String: Any] = ["name": dealershipName, "address": dealershipAddress]
        if let phone = dealershipPhone, !phone.isEmpty { dealership["phone"] = phone }
        var c: [String: Any] = [
            "first_name": firstName, "last_name": lastName, "customer_name": "\(firstName) \(lastName)",
            "dealership": dealership,
            "vehicle": "\(vehicleYear) \(vehicleMake) \(vehicleModel)", "vehicle_year": vehicleYear, "vehicle_make": vehicleMake,
            "vehicle_model": vehicleModel, "deal_number": dealNumber, "product": values(product),
            "others": others.map(values),
            "unsubscribe_url": unsubscribeURL, "opt_out": Self.optOutLine,
        ]
        if let s = staffName { c["staff_name"] = s }
        if let o = offerURL { c["offer_url"] = o }
        if advertisement { c["advertisement"] = true }
        // Absent rather than empty: an empty string opens a Mustache section.
        if !others.isEmpty { c["others_text"] = Words.list(others.map(\.name)) }
        if let w = warrantyEnds {
            var warranty: [String: Any] = [
                "ends": Words.longDate(w), "ends_short": Words.monthDay(w), "days_left": today.days(until: w),
                "by_miles": warrantyLimit == "miles", "by_time": warrantyLimit != "miles",
            ]
            if let m = warrantyMiles { warranty["miles"] = Words.thousands(m) }
            c["warranty"] = warranty
        }
        if let g = gapExposureEnds { c["gap"] = ["exposure_ends": Words.longDate(g)] }
        return c
    }

    /// Plausible facts for checking templates when they load.
    public static func sample(dealership: Dealership) -> MessageFacts {
        let today = LocalDate(year: 2026, month: 11, day: 2)!
        var facts = MessageFacts(
            firstName: "Maria-Guadalupe", lastName: "Lopez", dealershipName: dealership.name, dealershipAddress: dealership.address,
            dealershipPhone: dealership.phone, vehicleYear: 2024, vehicleMake: "Mercedes-Benz", vehicleModel: "GLE 450",
            dealNumber: "D-100234",
            product: Product(
                code: "vsc", name: "Vehicle Service Contract", provider: "Lakeside Protection Plans",
                quoted: Money(cents: 249_500), eligibleUntil: today.adding(days: 41)),
            others: [
                Product(
                    code: "tire_wheel", name: "Tire & Wheel Protection", provider: "Road Hazard", quoted: Money(cents: 79_900),
                    eligibleUntil: today.adding(days: 60))
            ],
            warrantyEnds: today.adding(days: 41), warrantyLimit: "miles", warrantyMiles: 36_000, gapExposureEnds: today.adding(days: 700),
            staffName: "Jordan Smith",
            unsubscribeURL: "https://afterdesk.example/unsubscribe?c=123456&t=0123456789abcdef0123456789abcdef0123456789a",
            today: today)
        // As long as a real link: a public URL of 30 characters and a 22-character token.
        facts.offerURL = "https://afterdesk.example.com/o/AbCdEfGhIjKlMnOpQrStUv"
        return facts
    }
}

/// Words for messages: dates as people write them, thousands separators, lists.
public enum Words {
    static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]
    public static func longDate(_ d: LocalDate) -> String { "\(months[d.month - 1]) \(d.day), \(d.year)" }
    public static func monthDay(_ d: LocalDate) -> String { "\(months[d.month - 1]) \(d.day)" }
    public static func thousands(_ n: Int) -> String { n.grouped }
    public static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        case 2: return "\(items[0]) and \(items[1])"
        default: return items.dropLast().joined(separator: ", ") + " and " + items.last!
        }
    }
}

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
        var subject: MustacheTemplate
        var text: MustacheTemplate
        var html: MustacheTemplate
    }
    var sms: [String: MustacheTemplate] = [:]
    var email: [String: Email] = [:]
    public var maxSegments: Int

    public var smsNames: [String] { sms.keys.sorted() }
    public var emailNames: [String] { email.keys.sorted() }
    public func hasSMS(_ name: String) -> Bool { sms[name] != nil }
    public func hasEmail(_ name: String) -> Bool { email[name] != nil }

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
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".mustache") }
        let files = try names.map { ($0, try String(contentsOfFile: directory + "/" + $0, encoding: .utf8)) }
        return try load(files: files, directory: directory, sample: sample, maxSegments: maxSegments)
    }

    /// The templates each message touch of the menu needs and that are missing.
    public func missing(for menu: Menu, directory: String = "templates") -> [TemplateIssue] {
        var out: [TemplateIssue] = []
        for p in menu.products {
            for t in p.timing.touches where t.action == .message {
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
        sms[name].map { $0.render(facts.context).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    public func renderEmail(_ name: String, facts: MessageFacts) -> RenderedEmail? {
        guard let e = email[name] else { return nil }
        let c = facts.context
        // A subject is one line: whatever the facts hold.
        let subject = e.subject.render(c).replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
            .trimmingCharacters(in: .whitespaces)
        return RenderedEmail(subject: subject, text: e.text.render(c), html: e.html.render(c))
    }
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
    mutating func parse(_ source: String, text isText: Bool, firstLine: Int) -> MustacheTemplate? {
        do {
            return try MustacheTemplate(string: (isText ? MessageTemplates.textPragma : "") + source)
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
    mutating func sms(sample: MessageFacts, maxSegments: Int) -> MustacheTemplate? {
        guard let t = parse(text, text: true, firstLine: 1) else { return nil }
        let rendered = t.render(sample.context).trimmingCharacters(in: .whitespacesAndNewlines)
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
        checkSubject(s.render(sample.context).trimmingCharacters(in: .whitespaces))
        var advertising = sample
        advertising.advertisement = true
        for (part, template, endLine, escape) in [("text", tx, htmlMark, false), ("html", h, lastLine, true)] {
            if !template.render(advertising.context).lowercased().contains("advertisement") {
                issue(
                    line: endLine,
                    "the \(part) part does not say it is an advertisement when email consent was not affirmative "
                        + "({{#advertisement}}…{{/advertisement}}, CAN-SPAM)")
            }
            let rendered = template.render(sample.context)
            let url = escape ? sample.unsubscribeURL.replacingOccurrences(of: "&", with: "&amp;") : sample.unsubscribeURL
            let address = escape ? sample.dealershipAddress.replacingOccurrences(of: "&", with: "&amp;") : sample.dealershipAddress
            if !rendered.contains(url) {
                issue(line: endLine, "the \(part) part has no unsubscribe link ({{unsubscribe_url}})")
            }
            if !rendered.contains(address) {
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
