import AfterdeskCore
import Foundation
import Testing

/// Replays every input the fuzzer ever found a crash with (Tests/FuzzRegressions/<target>/), and the seeds the fuzzer
/// starts from (Fuzz/seeds/<target>/), through the same harness the fuzz targets run.
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func files(_ folder: String, _ target: FuzzHarness.Target) -> [URL] {
        let dir = root.appendingPathComponent(folder).appendingPathComponent(target.rawValue)
        return ((try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? [])
            .filter { !$0.lastPathComponent.hasPrefix(".") }.sorted { $0.path < $1.path }
    }

    @Test(arguments: FuzzHarness.Target.allCases)
    func everyKnownCrasherAndSeedRunsCleanly(target: FuzzHarness.Target) throws {
        let seeds = Self.files("Fuzz/seeds", target)
        #expect(!seeds.isEmpty, "no seeds for \(target.rawValue)")
        for file in seeds + Self.files("Tests/FuzzRegressions", target) {
            let reached = FuzzHarness.run(target, Array(try Data(contentsOf: file)))
            // A seed reaches the rules: the harness is not stopped at its header or its parser.
            if file.path.contains("/Fuzz/seeds/") {
                #expect(reached > 0, "\(file.lastPathComponent) reached nothing in \(target.rawValue)")
            }
        }
    }

    /// Every folder of kept inputs is a target's, so `everyKnownCrasherAndSeedRunsCleanly` replays it.
    @Test func everyRegressionFolderIsReplayed() throws {
        let dir = Self.root.appendingPathComponent("Tests/FuzzRegressions")
        let folders = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.contains(".") }.sorted()
        #expect(folders.contains("json"))
        for folder in folders { #expect(FuzzHarness.Target(rawValue: folder) != nil, "\(folder) is no fuzz target's") }
    }

    /// 5,000 nested arrays in a deal (10 KB) overflowed the stack of `afterdesk import`: now refused, nothing read.
    @Test func fiveThousandNestedArraysAreRefused() throws {
        let file = Self.root.appendingPathComponent("Tests/FuzzRegressions/json/nested-5000-arrays.json")
        #expect(FuzzHarness.run(.json, Array(try Data(contentsOf: file))) == 0)
    }

    /// The row that stopped every import: decoded and planned without trapping.
    @Test func theOdometerOfOneIsARegressionInput() throws {
        let file = Self.root.appendingPathComponent("Tests/FuzzRegressions/decode-canonical/used-odometer-1.csv")
        #expect(FuzzHarness.run(.decodeCanonical, Array(try Data(contentsOf: file))) == 1)
    }
}
