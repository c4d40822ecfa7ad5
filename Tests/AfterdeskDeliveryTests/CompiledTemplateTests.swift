import AfterdeskCore
import Foundation
import Mustache
import Testing

@testable import AfterdeskDelivery

/// `CompiledTemplate` renders what swift-mustache renders, to the character: the shipped templates over facts of every
/// shape, and generated templates (whitespace, line ends, standalone tags, nesting, escaping) over generated values.
@Suite struct CompiledTemplateTests {
    /// What swift-mustache makes of `source` with `values`.
    static func mustache(_ source: String, _ values: [String: MustacheValue]) throws -> String {
        try MustacheTemplate(string: source).render(MustacheValue.object(values).any)
    }

    static var templatesFolder: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("templates").path
    }

    /// The sample's facts, and the same with each fact that shapes a message taken away or changed.
    static var factVariants: [MessageFacts] {
        var dealership = defaultMenu.dealership
        dealership.name = "Lakeside <Motors> & \"Sons\""
        dealership.address = "12 O'Neil Rd, Springfield"
        let sample = MessageFacts.sample(dealership: dealership)
        var out = [sample]
        var f = sample
        f.advertisement = true
        out.append(f)
        f = sample
        f.warrantyEnds = nil
        out.append(f)
        f.powertrainEnds = nil
        f.planClass = nil
        out.append(f)
        f = sample
        f.others = []
        f.offerURL = nil
        f.staffName = nil
        f.dealershipPhone = nil
        f.deskQuote = nil
        f.price = nil
        f.gapCoversDifference = false
        f.gapExposureEnds = nil
        out.append(f)
        f = sample
        f.today = sample.today.adding(days: 900)
        f.freeMaintenanceEnds = f.today.adding(days: 30)
        f.freeMaintenanceName = "ToyotaCare"
        f.firstService = true
        f.warrantyLimit = "time"
        f.firstName = "Zoë & <Ana>"
        out.append(f)
        return out
    }

    @Test func everyShippedTemplateCompilesAndRendersAsSwiftMustacheDoes() throws {
        let folder = Self.templatesFolder
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".mustache") }.sorted()
        #expect(names.count >= 20)
        var parts = 0
        for name in names {
            let text = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            // An SMS is text; an email's three parts are cut as `MessageTemplates` cuts them (here: the whole file,
            // as text and as HTML, which holds every tag of its parts).
            for source in [MessageTemplates.textPragma + text, text] {
                let compiled = try #require(CompiledTemplate.compile(source), "\(name) does not compile")
                for facts in Self.factVariants {
                    let expected = try Self.mustache(source, facts.values)
                    #expect(compiled.render(facts.values) == expected, "\(name)")
                    parts += 1
                }
            }
        }
        #expect(parts == names.count * 2 * Self.factVariants.count)
    }

    /// Also: templates load for a dealership whose address has an apostrophe (the HTML part escapes it as `&#39;`; the
    /// check for the address looked for it with only `&` escaped, and refused every email).
    @Test func messagesRenderTheSameThroughEitherEngine() throws {
        let templates = try MessageTemplates.load(
            directory: Self.templatesFolder, sample: Self.factVariants[0])
        for facts in Self.factVariants {
            for name in templates.smsNames {
                let t = try #require(templates.sms[name])
                #expect(t.compiled != nil)
                #expect(t.render(facts) == t.mustache.render(facts.context), "\(name).sms")
            }
            for name in templates.emailNames {
                let e = try #require(templates.email[name])
                for part in [e.subject, e.text, e.html] {
                    #expect(part.compiled != nil)
                    #expect(part.render(facts) == part.mustache.render(facts.context), "\(name).email")
                }
            }
        }
    }

    @Test func whatItDoesNotRenderFallsBackToSwiftMustache() throws {
        // Partials, set delimiters, blocks and transforms do not compile.
        for source in ["{{>footer}}", "{{=<% %>=}}<%name%>", "{{$block}}x{{/block}}", "{{<parent}}{{/parent}}", "{{uppercase(name)}}"] {
            #expect(CompiledTemplate.compile(source) == nil, "\(source)")
        }
        // A variable naming an object does not render here; the message is swift-mustache's.
        let t = try MessageTemplate(string: "{{dealership}}")
        #expect(t.compiled != nil)
        #expect(t.compiled?.render(["dealership": .object(["name": .string("x")])]) == nil)
        // (swift-mustache prints the dictionary's description, in its order of the moment.)
        let text = t.render(Self.factVariants[0])
        #expect(text.hasPrefix("[") && text.contains("&quot;address&quot;: &quot;12 O\\&#39;Neil Rd, Springfield&quot;"))
    }

    /// Templates made of the pieces Mustache's whitespace rules turn on, over values of every kind: both engines give
    /// the same text for each that compiles, and nearly all compile.
    @Test func generatedTemplatesRenderAsSwiftMustacheDoes() throws {
        var rng = SeededRandom(seed: 2026)
        var compiled = 0
        var rendered = 0
        let runs = 4_000
        for _ in 0..<runs {
            let source = (Bool.random(using: &rng) ? MessageTemplates.textPragma : "") + Self.template(depth: 0, &rng)
            let values = Self.values(&rng)
            guard let parsedByMustache = try? MustacheTemplate(string: source) else {
                #expect(CompiledTemplate.compile(source) == nil, "\(source.debugDescription) does not parse in swift-mustache")
                continue
            }
            guard let t = CompiledTemplate.compile(source) else { continue }
            compiled += 1
            guard let text = t.render(values) else { continue }
            rendered += 1
            let expected = parsedByMustache.render(MustacheValue.object(values).any)
            #expect(text == expected, "\(source.debugDescription) with \(values)")
        }
        // Nearly every template parses in both and renders here (a variable naming an object or list does not).
        #expect(compiled > runs * 8 / 10)
        #expect(rendered > runs * 6 / 10)
    }

    static let names = ["a", "b", "c", "a.b", "b.c", ".", ".a", "a.b.c", "missing", "a..b"]

    static func template(depth: Int, _ rng: inout SeededRandom) -> String {
        var out = ""
        for _ in 0..<Int.random(in: 1...7, using: &rng) {
            let name = names.randomElement(using: &rng)!
            let pad = ["", " ", "  ", "\t"].randomElement(using: &rng)!
            switch Int.random(in: 0..<16, using: &rng) {
            case 0: out += ["x", "Hi & bye", "<b>", "'q'", "\"", "é", "{", "}", "}}", "{ {"].randomElement(using: &rng)!
            case 1: out += ["\n", "\r\n", "\n\n", " \n", "\t\n"].randomElement(using: &rng)!
            case 2: out += pad
            case 3: out += "{{\(pad)\(name)\(pad)}}"
            case 4: out += "{{{\(name)}}}"
            case 5: out += "{{&\(pad)\(name)}}"
            case 6: out += "{{!\(pad)a comment }}"
            case 7, 8, 9:
                guard depth < 3 else { continue }
                let sigil = Bool.random(using: &rng) ? "#" : "^"
                let open = ["", "\n", "  "].randomElement(using: &rng)!
                let close = ["", "\n", "  ", "\r\n"].randomElement(using: &rng)!
                out += "\(open)\(pad){{\(sigil)\(name)}}\(close)\(template(depth: depth + 1, &rng))\(open){{/\(name)}}\(close)"
            case 10: out += "\n\(pad){{!c}}\(pad)\n"
            case 11: out += "{{% CONTENT_TYPE: \(Bool.random(using: &rng) ? "TEXT" : "HTML") }}"
            case 12: out += "\(pad){{% CONTENT_TYPE: TEXT }}\n"
            case 13: out += "\n\(pad){{\(name)}}\(pad)\n"
            default: out += "{{\(name)}}"
            }
        }
        return out
    }

    static func value(depth: Int, _ rng: inout SeededRandom) -> MustacheValue {
        switch Int.random(in: 0..<(depth < 2 ? 9 : 6), using: &rng) {
        case 0: .string("")
        case 1: .string(["x", "A & B", "<i>\"q\"</i>", "it's", "&\u{301}", "line\nend"].randomElement(using: &rng)!)
        case 2: .int(Int.random(in: -2...2, using: &rng))
        case 3: .bool(false)
        case 4: .bool(true)
        case 5: .int(Int.random(in: 0...2_000_000, using: &rng))
        case 6, 7: .object(values(depth: depth + 1, &rng))
        default: .list((0..<Int.random(in: 0...3, using: &rng)).map { _ in value(depth: depth + 1, &rng) })
        }
    }

    static func values(depth: Int = 0, _ rng: inout SeededRandom) -> [String: MustacheValue] {
        var out: [String: MustacheValue] = [:]
        for key in ["a", "b", "c"] where Int.random(in: 0..<4, using: &rng) > 0 { out[key] = value(depth: depth, &rng) }
        return out
    }
}
