import AfterdeskCore
import AfterdeskDelivery
import AfterdeskTestSupport
import Foundation
import Testing

let defaultMenu = try! MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "menus/default.yaml")
let sample = MessageFacts.sample(dealership: defaultMenu.dealership)

func issues(_ files: [(String, String)], maxSegments: Int = 3) -> [TemplateIssue] {
    do {
        _ = try MessageTemplates.load(files: files.map { (name: $0.0, text: $0.1) }, sample: sample, maxSegments: maxSegments)
        return []
    } catch { return error.issues }
}

let goodEmail = """
    subject: About your {{vehicle}}
    --- text
    Hi {{first_name}}, {{product.name}} for {{product.quoted_price}}.
    {{#advertisement}}An advertisement. {{/advertisement}}{{dealership.name}}, {{dealership.address}}. Unsubscribe: {{unsubscribe_url}}
    --- html
    <p>Hi {{first_name}}, {{product.name}}.</p>
    <p>{{#advertisement}}An advertisement. {{/advertisement}}{{dealership.address}} <a href="{{unsubscribe_url}}">Unsubscribe</a></p>

    """

@Suite struct TemplateTests {
    @Test func theShippedTemplatesLoadAndCoverTheMenu() throws {
        let templates = try MessageTemplates.load(directory: repositoryRoot.appendingPathComponent("templates").path, sample: sample)
        #expect(templates.missing(for: defaultMenu).isEmpty)
        // Every SMS of the shipped set fits two GSM-7 segments with the sample facts (a long name, a long model).
        for name in templates.smsNames {
            let text = templates.renderSMS(name, facts: sample)!
            #expect(text.hasSuffix(MessageFacts.optOutLine), "\(name)")
            #expect(SMSEncoding(text).alphabet == .gsm7, "\(name): \(text)")
            #expect(SMSEncoding(text).segments <= 2, "\(name): \(SMSEncoding(text).units) characters")
        }
    }

    /// Run from a folder without `templates/` (the demo after an install, from the home folder): the error says what
    /// to do, not Foundation's error domain.
    @Test func aMissingFolderIsSaidInWords() {
        let error = #expect(throws: TemplateErrors.self) { try MessageTemplates.load(directory: "no-templates-here", sample: sample) }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.hasPrefix("no-templates-here:0: no such folder (from "), "\(text)")
        #expect(text.contains("--templates") && !text.contains("NSCocoaErrorDomain"), "\(text)")
    }

    @Test func aMissingTemplateIsNamed() throws {
        let templates = try MessageTemplates.load(
            files: [(name: "vsc-expiry-90.sms.mustache", text: "Hi {{first_name}}. {{opt_out}}")], sample: sample)
        let missing = templates.missing(for: defaultMenu).map(\.file)
        #expect(missing.contains("templates/vsc-expiry-90.email.mustache"))
        #expect(!missing.contains("templates/vsc-expiry-90.sms.mustache"))
        #expect(!missing.contains { $0.contains("vsc-expiry-7") })  // a task touch needs no message
    }

    @Test func personalisedWithTheDealsFacts() throws {
        let templates = try MessageTemplates.load(
            files: [
                (
                    name: "x.sms.mustache",
                    text:
                        "{{first_name}}: your {{vehicle}}'s warranty ends around {{warranty.ends_short}}{{#warranty.by_miles}} at {{warranty.miles}} miles{{/warranty.by_miles}}. {{product.name}} & {{others_text}}. {{opt_out}}\n"
                ),
                (name: "x.email.mustache", text: goodEmail),
            ], sample: sample)
        var facts = sample
        facts.product.name = "Tire & Wheel"
        let sms = try #require(templates.renderSMS("x", facts: facts))
        #expect(
            sms
                == "Maria-Guadalupe: your 2024 Mercedes-Benz GLE 450's warranty ends around December 13 at 36,000 miles. Tire & Wheel & Tire & Wheel Protection. Reply STOP to opt out."
        )
        let email = try #require(templates.renderEmail("x", facts: facts))
        #expect(email.subject == "About your 2024 Mercedes-Benz GLE 450")
        #expect(email.text.contains("Tire & Wheel for $2,495.00"))  // text is not HTML-escaped
        #expect(email.html.contains("Tire &amp; Wheel"))  // HTML is
        // Sections about facts that are missing disappear.
        let shipped = try MessageTemplates.load(directory: repositoryRoot.appendingPathComponent("templates").path, sample: sample)
        var alone = sample
        alone.others = []
        alone.dealershipPhone = nil
        let text = try #require(shipped.renderEmail("vsc-second-chance", facts: alone)).text
        #expect(!text.contains("look again at"))
        #expect(!text.contains("call us at"))
        #expect(
            try #require(shipped.renderEmail("vsc-second-chance", facts: sample)).text.contains(
                "We can also look again at Tire & Wheel Protection."))
        facts.warrantyLimit = "time"
        #expect(templates.renderSMS("x", facts: facts)?.contains("miles") == false)
    }

    @Test func anSMSMustEndWithTheOptOutLine() {
        let found = issues([("a.sms.mustache", "Hi {{first_name}}.\nCall us.\n")])
        #expect(
            found == [
                TemplateIssue(
                    file: "templates/a.sms.mustache", line: 2,
                    reason: "an SMS must end with the opt-out line \"Reply STOP to opt out.\" ({{opt_out}})")
            ])
    }

    @Test func anSMSTooLongIsRefusedWithItsSegments() {
        let long = String(repeating: "Protect your car today. ", count: 30) + "{{opt_out}}"
        let found = issues([("a.sms.mustache", long)])
        #expect(found.count == 1)
        #expect(found.first?.reason.contains("GSM-7 characters make 5 segments") == true)
        let curly = String(repeating: "It\u{2019}s time. ", count: 20) + "{{opt_out}}"
        #expect(issues([("b.sms.mustache", curly)]).first?.reason.contains("UCS-2 units make 4 segments") == true)
        #expect(issues([("b.sms.mustache", curly)], maxSegments: 4).isEmpty)
    }

    @Test func anEmailNeedsUnsubscribeAndAddressInBothParts() {
        let noLink = goodEmail.replacingOccurrences(of: " <a href=\"{{unsubscribe_url}}\">Unsubscribe</a>", with: "")
        #expect(
            issues([("a.email.mustache", noLink)]) == [
                TemplateIssue(
                    file: "templates/a.email.mustache", line: 7, reason: "the html part has no unsubscribe link ({{unsubscribe_url}})")
            ])
        let noAddress = goodEmail.replacingOccurrences(of: "{{dealership.name}}, {{dealership.address}}.", with: "{{dealership.name}}.")
        #expect(
            issues([("a.email.mustache", noAddress)]) == [
                TemplateIssue(
                    file: "templates/a.email.mustache", line: 4,
                    reason: "the text part lacks the dealership's physical address ({{dealership.address}})")
            ])
        // Without the advertisement line: named, in each part.
        let noAd = goodEmail.replacingOccurrences(of: "{{#advertisement}}An advertisement. {{/advertisement}}", with: "")
        #expect(issues([("a.email.mustache", noAd)]).map(\.reason).filter { $0.contains("advertisement") }.count == 2)
        let reply = goodEmail.replacingOccurrences(of: "subject: About", with: "subject: RE: About")
        #expect(issues([("a.email.mustache", reply)]).first?.reason.contains("reply or a forward") == true)
        #expect(issues([("a.email.mustache", "Hello\n--- text\nx\n--- html\ny\n")]).first?.line == 1)
        #expect(issues([("a.email.mustache", "subject: x\nno sections\n")]).first?.reason.contains("--- text") == true)
    }

    /// The HTML part's address is found escaped (an apostrophe reads `&#39;` there) or as it is (`{{{…}}}`); the check
    /// used to look for it with only `&` escaped, and refused every email of a store at "12 O'Neil Rd".
    @Test func anAddressWithAnApostropheIsFoundInTheHTMLPart() throws {
        var dealership = defaultMenu.dealership
        dealership.address = "12 O'Neil Rd & Main St, Austin, TX 78701"
        let facts = MessageFacts.sample(dealership: dealership)
        let raw = goodEmail.replacingOccurrences(of: "{{dealership.address}} <a", with: "{{{dealership.address}}} <a")
        for text in [goodEmail, raw] {
            _ = try MessageTemplates.load(files: [(name: "a.email.mustache", text: text)], sample: facts)
        }
        let none = goodEmail.replacingOccurrences(of: "{{dealership.address}} <a", with: "<a")
        #expect(throws: TemplateErrors.self) {
            try MessageTemplates.load(files: [(name: "a.email.mustache", text: none)], sample: facts)
        }
    }

    @Test func syntaxErrorsNameTheLine() {
        let found = issues([("a.email.mustache", goodEmail.replacingOccurrences(of: "<p>Hi {{first_name}}", with: "<p>Hi {{#first_name}"))])
        #expect(found.count == 1)
        #expect(found.first?.line == 6)
        #expect(found.first?.reason.hasPrefix("Mustache syntax") == true)
        #expect(issues([("notes.mustache", "x")]).first?.reason.contains("unknown kind") == true)
    }

    @Test func words() {
        #expect(Words.thousands(36000) == "36,000")
        #expect(Words.thousands(1_234_567) == "1,234,567")
        #expect(Words.thousands(999) == "999")
        #expect((LocalDate("2027-03-14")!).longDate == "March 14, 2027")
        #expect(Words.list(["A"]) == "A")
        #expect(Words.list(["A", "B", "C"]) == "A, B and C")
    }
}

@Suite struct SettingsTests {
    @Test func fileThenEnvironment() throws {
        let yaml = "smtp_url: smtp://mail.example:587\nemail_from: Lakeside <s@lakeside.example>\ntask_sla_hours: 8\n"
        let s = try Settings.load(
            yaml: yaml, environment: ["AFTERDESK_SMTP_URL": "smtps://other:465", "AFTERDESK_SMS_FROM": "+15125550100"])
        #expect(s.smtpURL == "smtps://other:465")
        #expect(s.emailFrom == "Lakeside <s@lakeside.example>")
        #expect(s.smsFrom == "+15125550100")
        #expect(s.taskSLAHours == 8)
        #expect(s.smsBaseURL == "https://api.twilio.com")
    }

    @Test func badSettingsNameTheLine() {
        #expect(throws: SettingsError.self) { try Settings.load(yaml: "smtp_url: x\nsmtp_host: y\n", environment: [:]) }
        do { _ = try Settings.load(yaml: "smtp_url: x\nsmtp_host: y\n", environment: [:]) } catch {
            #expect("\(error)" == "afterdesk.yaml:2: unknown setting 'smtp_host'")
        }
        do { _ = try Settings.load(yaml: nil, environment: ["AFTERDESK_MAX_ATTEMPTS": "many"]) } catch {
            #expect("\(error)".contains("AFTERDESK_MAX_ATTEMPTS"))
        }
    }

    @Test func theExampleFileIsValidAndDocumented() throws {
        let example = try String(contentsOf: repositoryRoot.appendingPathComponent("afterdesk.example.yaml"), encoding: .utf8)
        _ = try Settings.load(yaml: example, environment: [:])
        let doc = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/settings.md"), encoding: .utf8)
        for key in Settings.keys {
            #expect(doc.contains("`\(key.file)`"), "docs/settings.md lacks \(key.file)")
            #expect(doc.contains("`\(key.environment)`"), "docs/settings.md lacks \(key.environment)")
        }
    }
}

/// Issue 24, item 6: marketing email without affirmative consent says it is an advertisement (CAN-SPAM); with it, not.
@Suite struct AdvertisementLabelTests {
    @Test func everyShippedEmailSaysItIsAnAdvertisementOnlyWhenAsked() throws {
        let shipped = try MessageTemplates.load(directory: repositoryRoot.appendingPathComponent("templates").path, sample: sample)
        var ad = sample
        ad.advertisement = true
        for name in shipped.emailNames {
            let with = try #require(shipped.renderEmail(name, facts: ad))
            let without = try #require(shipped.renderEmail(name, facts: sample))
            #expect(
                with.text.contains("This email is an advertisement from") && with.html.contains("This email is an advertisement from"),
                "\(name)")
            #expect(!without.text.contains("advertisement") && !without.html.contains("advertisement"), "\(name)")
        }
    }
}

/// Issue 25, item 2 (a first part): the shipped messages made claims the facts do not support — a service contract
/// "can't be added" after the factory warranty, "repairs are yours to pay" — while third-party and used-vehicle plans
/// are sold after it and the powertrain warranty runs on. No shipped template may say them.
@Suite struct MessageClaimsTests {
    static let unsupported = [
        "can't be added", "cannot be added", "can be added only while", "only while the factory", "repairs are yours",
    ]

    @Test func noShippedMessageMakesAClaimTheFactsCannotBack() throws {
        let shipped = try MessageTemplates.load(directory: repositoryRoot.appendingPathComponent("templates").path, sample: sample)
        var rendered: [(String, String)] = shipped.smsNames.compactMap { n in shipped.renderSMS(n, facts: sample).map { (n, $0) } }
        for n in shipped.emailNames {
            guard let e = shipped.renderEmail(n, facts: sample) else { continue }
            rendered += [(n, e.subject), (n, e.text), (n, e.html)]
        }
        #expect(rendered.count > 30)
        for (name, text) in rendered {
            for claim in Self.unsupported { #expect(!text.lowercased().contains(claim), "\(name): \"\(claim)\"") }
        }
    }
}
