import AfterdeskDelivery
import AfterdeskTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AfterdeskServer

/// The page templates as files (`templates/pages/`): the built-in copy is the repository's, a broken one stops the
/// start naming file and line, and a dealer's folder (`page_templates_dir`) replaces files by name.
@Suite struct PageTemplateFilesTests {
    static let folder = repositoryRoot.appendingPathComponent("templates/pages")

    @Test func theBuiltInTemplatesAreTheFilesInTheRepository() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).sorted()
            .filter { $0.hasSuffix(".mustache") || $0.hasSuffix(".css") }
        #expect(EmbeddedTemplates.files.map(\.name) == names, "run scripts/embed-templates.sh after adding or removing a file")
        for (name, text) in EmbeddedTemplates.files {
            let file = try String(contentsOf: Self.folder.appendingPathComponent(name), encoding: .utf8)
            #expect(text + "\n" == file, "run scripts/embed-templates.sh after editing templates/pages/\(name)")
        }
        // Every page and the stylesheet are there.
        let loaded = try PageTemplates.load()
        for page in PageTemplates.pages { #expect(loaded.library.getTemplate(named: page) != nil, "\(page)") }
        #expect(loaded.stylesheet.hasPrefix(":root {"))
    }

    /// The built-in files with `name` replaced by `text`.
    static func builtIn(replacing name: String, with text: (String) -> String) -> [PageTemplates.File] {
        (try? PageTemplates.files(overrides: nil))?.map {
            $0.name == name ? PageTemplates.File(name: name, path: $0.path, text: text($0.text)) : $0
        }
            ?? []
    }

    static func failure(_ files: [PageTemplates.File]) -> String {
        do {
            _ = try PageTemplates.parse(files)
            return "parsed"
        } catch { return "\(error)" }
    }

    @Test func aBrokenBuiltInTemplateNamesItsFileLineAndReason() throws {
        // Line 5 of task.mustache gets a section closed with the wrong name.
        let files = Self.builtIn(replacing: "task.mustache") { text in
            var lines = text.components(separatedBy: "\n")
            lines[4] = "{{#layout}}oops{{/title}}"
            return lines.joined(separator: "\n")
        }
        let error = Self.failure(files)
        #expect(error.hasPrefix("templates/pages/task.mustache, line 5, column "), "\(error)")
        #expect(error.contains("closed with another name"), "\(error)")
        #expect(error.contains("{{#layout}}oops{{/title}}"), "\(error)")
        // An unfinished tag, and a section never closed (found at the end of the file).
        #expect(
            Self.failure(Self.builtIn(replacing: "foot.mustache") { "<main>\n<p>{{heading</p>\n" + $0 }).contains("foot.mustache, line 2"))
        let unclosed = Self.failure(Self.builtIn(replacing: "error.mustache") { $0 + "\n{{#status}}\nno end" })
        #expect(unclosed.contains("error.mustache, line ") && unclosed.contains("never closed"), "\(unclosed)")
        // A partial that does not exist, and a page missing.
        let partial = Self.failure(
            Self.builtIn(replacing: "login.mustache") { $0.replacingOccurrences(of: "{{> foot}}", with: "{{> feet}}") })
        #expect(partial.contains("templates/pages/login.mustache, line ") && partial.contains("'feet'"), "\(partial)")
        let missing = Self.failure(Self.builtIn(replacing: "x", with: { $0 }).filter { $0.name != "deal.mustache" })
        #expect(missing.contains("deal.mustache: the page template is missing"), "\(missing)")
        #expect(Self.failure(Self.builtIn(replacing: "x", with: { $0 })) == "parsed")
    }

    @Test func aDealersFolderReplacesFilesByNameAndIsCheckedAlike() async throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let login = try String(contentsOf: Self.folder.appendingPathComponent("login.mustache"), encoding: .utf8)
        try login.replacingOccurrences(of: "<h1>Sign in</h1>", with: "<h1>Sign in to Lakeside</h1>")
            .write(to: dir.appendingPathComponent("login.mustache"), atomically: true, encoding: .utf8)
        try ":root { --accent: #004400; }\r\n".write(to: dir.appendingPathComponent("style.css"), atomically: true, encoding: .utf8)
        try "notes".write(to: dir.appendingPathComponent("README.txt"), atomically: true, encoding: .utf8)

        // The setting, from its environment variable, reaches the router: both files are served, the rest built in.
        let settings = try Settings.load(yaml: nil, environment: ["AFTERDESK_PAGE_TEMPLATES_DIR": dir.path])
        #expect(settings.pageTemplatesDir == dir.path)
        let s = try await Scenario()
        s.settings.pageTemplatesDir = settings.pageTemplatesDir
        let context = ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc("2026-10-02T15:00:00Z")))
        try await Application(router: try buildRouter(context)).test(.router) { client in
            let page = try await client.execute(uri: "/login", method: .get)
            #expect(String(buffer: page.body).contains("<h1>Sign in to Lakeside</h1>"))
            #expect(String(buffer: page.body).contains("</footer>"))
            let css = try await client.execute(uri: "/static/app.css", method: .get)
            #expect(String(buffer: css.body) == ":root { --accent: #004400; }")
        }

        // A broken file in the folder stops the start, naming its path and line.
        try (login + "{{#error}}\n").write(to: dir.appendingPathComponent("login.mustache"), atomically: true, encoding: .utf8)
        let broken = #expect(throws: (any Error).self) { try buildRouter(context) }
        let text = broken.map { "\($0)" } ?? ""
        #expect(text.hasPrefix(dir.appendingPathComponent("login.mustache").path + ", line "), "\(text)")
        #expect(text.contains("never closed"), "\(text)")
        // A misspelt name is refused rather than ignored, and so is a folder that is not there.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("login.mustache"))
        try login.write(to: dir.appendingPathComponent("logn.mustache"), atomically: true, encoding: .utf8)
        let misspelt = #expect(throws: (any Error).self) { try Pages.load(overrides: dir.path) }
        #expect((misspelt.map { "\($0)" } ?? "").contains("logn.mustache: not a page template or stylesheet of Afterdesk"))
        let absent = #expect(throws: (any Error).self) { try Pages.load(overrides: dir.path + "/nope") }
        #expect((absent.map { "\($0)" } ?? "").contains("cannot read the folder"))
    }

    /// A dealer's template saved by a Windows editor (`\r\n`) gets its errors at the line and column the editor shows.
    @Test func aWindowsTemplateGetsItsLinesAndColumnsRight() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = "<main>\r\n<p>ok</p>\r\n<p>{{#x}}oops{{/y}}</p>\r\n</main>\r\n"
        try text.write(to: dir.appendingPathComponent("error.mustache"), atomically: true, encoding: .utf8)
        let error = Self.failure(try PageTemplates.files(overrides: dir.path))
        #expect(error.contains("error.mustache, line 3, column "), "\(error)")
        #expect(error.hasSuffix(": <p>{{#x}}oops{{/y}}</p>"), "\(error)")
        try "<main>\r\n\r\n{{> nothere}}\r\n</main>".write(
            to: dir.appendingPathComponent("error.mustache"), atomically: true, encoding: .utf8)
        let partial = Self.failure(try PageTemplates.files(overrides: dir.path))
        #expect(partial.contains("error.mustache, line 3: the partial 'nothere'"), "\(partial)")
    }

    /// A page's values come from imports and customers' messages: a template may not write one unescaped, nor turn
    /// escaping off; only the charts the server draws may.
    @Test func aTemplateThatWouldWriteTextUnescapedIsRefused() {
        let refused = [
            ("{{{heading}}}", "{{{heading}}}"), ("{{& heading}}", "{{& heading}}"), ("{{%CONTENT_TYPE: TEXT}}", "{{%CONTENT_TYPE: TEXT}}"),
            ("{{=<% %>=}}", "{{=<% %>=}}"), ("{{#body}}{{{.}}}{{/body}}", "{{{.}}}"),
            ("{{#warrantyChart}}{{#note}}{{{.}}}{{/note}}{{/warrantyChart}}", "{{{.}}}"),
        ]
        for (tag, named) in refused {
            let error = Self.failure(Self.builtIn(replacing: "error.mustache") { "<p>x</p>\n" + tag + "\n" + $0 })
            #expect(error.contains("error.mustache, line 2: \(named) writes its value without escaping HTML"), "\(tag): \(error)")
        }
        // The charts, as the built-in pages write them, and escaped values pass.
        let charts =
            "{{{monthChart}}}{{#loanChart}}{{{.}}}{{/loanChart}}{{#warrantyChart}}{{{ . }}}{{/warrantyChart}}{{heading}}{{! note }}"
        #expect(Self.failure(Self.builtIn(replacing: "error.mustache") { charts + $0 }) == "parsed")
        #expect(PageTemplates.unescapedOutput(in: "{{{monthChart}}}\n{{#a}}{{{.}}}{{/a}}")?.line == 2)
    }
}
