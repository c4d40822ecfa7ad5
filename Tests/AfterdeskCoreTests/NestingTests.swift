import AfterdeskCore
import Foundation
import Testing

/// YAML nested past what any menu needs is refused with an error, not a crash: libyaml (inside Yams) stops at 1,000
/// levels, so Yams' recursive composer never goes deeper (issue 23, item 1). Menus are the operator's files, never
/// uploaded; this holds the line should that change.
@Suite struct YAMLNestingTests {
    static let deepFlow = "dealership: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
    static let deepBlock = "dealership:\n" + (1...3_000).map { String(repeating: " ", count: $0) + "- \n" }.joined()

    static let deep = ["flow": deepFlow, "block": deepBlock, "compact": String(repeating: "- ", count: 50_000) + "x\n"]

    @Test(arguments: ["flow", "block", "compact"])
    func aMenuNestedTooDeepIsRefused(kind: String) {
        let yaml = Self.deep[kind] ?? ""
        #expect(throws: MenuErrors.self) { try MenuLoader.loadMenu(yaml: yaml, file: "deep.yaml") }
        #expect(throws: MenuErrors.self) { try MenuLoader.loadWarranties(yaml: yaml, file: "deep.yaml") }
    }
}
