import AfterdeskCore
import AfterdeskDelivery
import AfterdeskTestSupport
import Foundation
import Testing

/// Every shipped template rendered from fixed facts, compared with the text kept in `Snapshots/`: a change to a
/// template shows as a diff of what customers read. After a deliberate change, record the new text with
/// `AFTERDESK_RECORD_SNAPSHOTS=1 swift test --filter TemplateSnapshotTests` and review the diff before committing.
@Suite struct TemplateSnapshotTests {
    static let snapshots = repositoryRoot.appendingPathComponent("Tests/AfterdeskDeliveryTests/Snapshots")
    static let templatesDirectory = repositoryRoot.appendingPathComponent("templates").path
    static let recording = ProcessInfo.processInfo.environment["AFTERDESK_RECORD_SNAPSHOTS"] == "1"

    /// The fixed facts: the load-time sample (every guarded fact present), about the template's own product as the
    /// default menu sells it, quoted at the desk at its retail price.
    static func facts(forTemplate name: String) -> MessageFacts {
        var facts = sample
        let code = String(name.prefix { $0 != "-" })
        if let p = defaultMenu.product(code) {
            facts.product = .init(
                code: p.code, name: p.name, provider: p.provider, quoted: p.retailPrice, eligibleUntil: sample.product.eligibleUntil)
            facts.others = facts.others.filter { $0.code != p.code }
            facts.deskQuote = p.retailPrice
            facts.price = p.retailPrice
        }
        return facts
    }

    /// What a template renders to, as its snapshot file holds it.
    static func rendered(_ name: String, sms: Bool, templates: MessageTemplates) -> String? {
        let facts = facts(forTemplate: name)
        if sms { return templates.renderSMS(name, facts: facts).map { $0 + "\n" } }
        return templates.renderEmail(name, facts: facts).map { "subject: \($0.subject)\n--- text\n\($0.text)\n--- html\n\($0.html)\n" }
    }

    @Test func everyTemplateRendersAsItsSnapshot() throws {
        // Setup: the shipped templates.
        let templates = try MessageTemplates.load(directory: Self.templatesDirectory, sample: sample)
        let cases = templates.smsNames.map { ($0, true) } + templates.emailNames.map { ($0, false) }
        #expect(cases.count >= 26)
        for (name, isSMS) in cases {
            // Action: render from the fixed facts.
            let file = Self.snapshots.appendingPathComponent("\(name).\(isSMS ? "sms" : "email").txt")
            let text = try #require(Self.rendered(name, sms: isSMS, templates: templates))
            if Self.recording {
                try FileManager.default.createDirectory(at: Self.snapshots, withIntermediateDirectories: true)
                try text.write(to: file, atomically: true, encoding: .utf8)
                continue
            }
            // Check: the same text as kept.
            let kept = try? String(contentsOf: file, encoding: .utf8)
            #expect(kept != nil, "no snapshot \(file.lastPathComponent): record it with AFTERDESK_RECORD_SNAPSHOTS=1")
            if let kept { #expect(text == kept, "\(file.lastPathComponent) differs from what the template renders now") }
        }
    }

    @Test func everySnapshotHasItsTemplate() throws {
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: Self.templatesDirectory))
        for snapshot in try FileManager.default.contentsOfDirectory(atPath: Self.snapshots.path) {
            let template = snapshot.replacingOccurrences(of: ".txt", with: ".mustache")
            #expect(names.contains(template), "\(snapshot) is kept but templates/\(template) is gone")
        }
    }
}
