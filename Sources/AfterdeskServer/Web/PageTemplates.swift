import AfterdeskStorage
import Foundation
import Mustache

/// The page templates (`templates/pages/NAME.mustache`, partials too) and the stylesheet (`templates/pages/style.css`),
/// as files: built into the program by `scripts/embed-templates.sh` (`EmbeddedTemplates`), each replaceable by a file
/// of the same name in the folder of the `page_templates_dir` setting. Checked when the application is built: a
/// template that does not parse, a partial that does not exist, an unknown or unreadable file stops the start, naming
/// the file and, for a template, the line. `{{x}}` escapes HTML; only server-drawn SVG uses `{{{x}}}`, and a template
/// that writes anything else unescaped is refused (`unescapedOutput`).
struct PageTemplates: Sendable {
    /// The templates page models name; the others are partials (`head`, `foot`, `offer_head`).
    static let pages = [
        "login", "tasks", "task", "dashboard", "scorecard", "error", "offer", "offer_gone", "imports", "import", "deals", "deal", "menu",
        "admin",
        "opt-outs", "unsubscribe", "stores",
    ]
    static let stylesheetFile = "style.css"
    /// Where the built-in files come from, in the repository: the name errors give them.
    static let builtInFolder = "templates/pages"

    /// One file: its name in the folder, the path errors name, and its text without its last line break.
    struct File: Sendable, Equatable {
        var name: String
        var path: String
        var text: String
    }

    let library: MustacheLibrary
    let stylesheet: String

    /// The built-in files, each replaced by its namesake in `overrides` when given.
    static func load(overrides directory: String? = nil) throws -> PageTemplates {
        try parse(try files(overrides: directory))
    }

    /// The built-in files with the folder's on top. The folder may hold any of them; a file ending in `.mustache` or
    /// `.css` that is not one of them is refused (a misspelt name would otherwise change nothing, silently).
    static func files(overrides directory: String?) throws -> [File] {
        var files = EmbeddedTemplates.files.map { File(name: $0.name, path: builtInFolder + "/" + $0.name, text: $0.text) }
        guard let directory else { return files }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            let why = (error as NSError).userInfo[NSUnderlyingErrorKey].map { "\($0)" } ?? error.localizedDescription
            throw StoreError("page_templates_dir: cannot read the folder \(directory) (\(why))", kind: .refusedFile)
        }
        for name in names.sorted() where name.hasSuffix(".mustache") || name.hasSuffix(".css") {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
            guard let index = files.firstIndex(where: { $0.name == name }) else {
                let known = files.map(\.name).joined(separator: ", ")
                throw StoreError("\(path): not a page template or stylesheet of Afterdesk (they are: \(known))", kind: .refusedFile)
            }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw StoreError("\(path): cannot read the file as UTF-8 text", kind: .refusedFile)
            }
            // Lines end in `\n` (a Windows editor's `\r\n` too, so errors count lines and columns as the editor
            // shows them); the last line break is not part of the text.
            let unix = text.replacingOccurrences(of: "\r\n", with: "\n")
            files[index] = File(name: name, path: path, text: unix.last == "\n" ? String(unix.dropLast()) : unix)
        }
        return files
    }

    /// Parses every template, then checks that every page and every partial named (`{{> name}}`) exists.
    static func parse(_ files: [File]) throws -> PageTemplates {
        var library = MustacheLibrary()
        var stylesheet: String?
        for file in files {
            if file.name == stylesheetFile {
                stylesheet = file.text
                continue
            }
            guard file.name.hasSuffix(".mustache") else { continue }
            if let (tag, line) = unescapedOutput(in: file.text) {
                throw StoreError(
                    "\(file.path), line \(line): \(tag) writes its value without escaping HTML; only the server-drawn charts may "
                        + "(a page's text comes from imports and customers' messages)", kind: .refusedFile)
            }
            let name = String(file.name.dropLast(".mustache".count))
            do { library.register(try MustacheTemplate(string: file.text), named: name) } catch let e as MustacheTemplate.ParserError {
                let at = e.context
                throw StoreError(
                    "\(file.path), line \(at.lineNumber), column \(at.columnNumber): \(reason(e.error)): \(at.line)", kind: .refusedFile)
            } catch {
                throw StoreError("\(file.path): does not parse: \(error)", kind: .refusedFile)
            }
        }
        for file in files where file.name.hasSuffix(".mustache") {
            if let (partial, line) = partials(in: file.text).first(where: { library.getTemplate(named: $0.name) == nil }) {
                throw StoreError("\(file.path), line \(line): the partial '\(partial)' is not a template", kind: .refusedFile)
            }
        }
        for name in pages where library.getTemplate(named: name) == nil {
            throw StoreError("\(builtInFolder)/\(name).mustache: the page template is missing", kind: .refusedFile)
        }
        guard let stylesheet else { throw StoreError("\(builtInFolder)/\(stylesheetFile): the stylesheet is missing", kind: .refusedFile) }
        return PageTemplates(library: library, stylesheet: stylesheet)
    }

    /// The partials a template names (`{{> name}}`), with their line.
    static func partials(in text: String) -> [(name: String, line: Int)] {
        var found: [(String, Int)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = line[...]
            while let open = rest.range(of: "{{>") {
                rest = rest[open.upperBound...]
                guard let close = rest.range(of: "}}") else { break }
                found.append((rest[..<close.lowerBound].trimmingCharacters(in: .whitespaces), index + 1))
                rest = rest[close.upperBound...]
            }
        }
        return found
    }

    /// The values written without HTML escaping that a template may hold: the charts the server draws (SVG it built
    /// from numbers), by name, or as `{{{.}}}` directly inside their section.
    static let unescapedCharts: Set<String> = ["monthChart", "productChart", "warrantyChart", "loanChart"]

    /// The first tag that would write text without escaping it — `{{{name}}}`, `{{&name}}` other than a chart's, a
    /// pragma (`{{% CONTENT_TYPE: TEXT}}` turns escaping off for the rest) or a new delimiter (which would hide the
    /// tags from this check) — with its line; nil when there is none.
    static func unescapedOutput(in text: String) -> (tag: String, line: Int)? {
        var sections: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            let line = text[..<open.lowerBound].reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
            let afterOpen = rest[open.upperBound...]
            let triple = afterOpen.hasPrefix("{")
            guard let close = afterOpen.range(of: triple ? "}}}" : "}}") else { return nil }
            let inner = afterOpen[..<close.lowerBound]
            rest = afterOpen[close.upperBound...]
            let kind: Character? = triple ? "{" : inner.first
            let sigils: Set<Character> = ["{", "#", "^", "/", "&", "%", "=", ">", "!", "$", "<"]
            let body = kind.map(sigils.contains) == true ? inner.dropFirst() : inner
            let name = body.trimmingCharacters(in: .whitespaces)
            let tag = "{{" + inner + (triple ? "}}}" : "}}")
            switch kind {
            case "#", "^": sections.append(name)
            case "/": if !sections.isEmpty { sections.removeLast() }
            case "%", "=": return (tag, line)
            case "{", "&":
                let chart = unescapedCharts.contains(name) || (name == "." && sections.last.map(unescapedCharts.contains) == true)
                if !chart { return (tag, line) }
            default: break
            }
        }
        return nil
    }

    /// swift-mustache's parse error in words.
    static func reason(_ error: any Error) -> String {
        guard let e = error as? MustacheTemplate.Error else { return "\(error)" }
        switch e {
        case .sectionCloseNameIncorrect: return "a section is closed with another name than the one it opened with"
        case .unfinishedName: return "a tag is not finished (no closing }} or an empty name)"
        case .expectedSectionEnd: return "a section is never closed ({{#name}} or {{^name}} needs its {{/name}})"
        case .invalidSetDelimiter: return "a set-delimiter tag is malformed"
        case .transformAppliedToInheritanceSection: return "a transform is applied to an inherited section"
        case .illegalTokenInsideInheritSection: return "a tag is not allowed inside an inherited section"
        case .textInsideInheritSection: return "text is not allowed inside an inherited section"
        case .invalidConfigVariableSyntax: return "a configuration tag is malformed"
        case .unrecognisedConfigVariable: return "a configuration tag is unknown"
        }
    }
}
