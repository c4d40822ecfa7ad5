import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// The hand-written task JSON is exactly what JSONEncoder writes, for random rows with every kind of text.
@Suite struct TaskJSONTests {
    @Test func theHandWrittenJSONIsJSONEncoders() throws {
        var rng = SeededRandom(seed: 31)
        let alphabet = Array("aZ9 \"\\/\n\r\t\u{08}\u{0C}\u{01}\u{1F}é€😀<>&'") + ["\u{7F}"]
        func text() -> String {
            String((0..<Int.random(in: 0...24, using: &rng)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
        }
        func maybe() -> String? { Bool.random(using: &rng) ? text() : nil }
        /// Any second from 1970 to 2100, written as the store writes instants.
        func instant() -> Date { Date(timeIntervalSince1970: Double(Int.random(in: 0...4_102_444_800, using: &rng))) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for n in [0, 1, 2, 7, 50] {
            for _ in 0..<40 {
                let rows = (0..<n).map { _ in
                    TaskRow(
                        id: Int64.random(in: -5...Int64.max, using: &rng), kind: TaskKind.allCases[Int.random(in: 0..<3, using: &rng)],
                        title: text(), detail: text(),
                        assigneeID: Bool.random(using: &rng) ? Int64.random(in: 0...1_000_000, using: &rng) : nil, assignee: maybe(),
                        escalatedTo: maybe(), customer: text(), phone: maybe(), email: maybe(), dueAt: instant(), slaAt: instant(),
                        status: Bool.random(using: &rng) ? .open : .done,
                        outcome: Bool.random(using: &rng)
                            ? TaskOutcome.allCases[Int.random(in: 0..<TaskOutcome.allCases.count, using: &rng)] : nil,
                        overdue: Bool.random(using: &rng), vehicle: maybe(), products: maybe(), why: maybe())
                }
                let expected = try encoder.encode(rows)
                let written = TaskJSON.encode(rows)
                #expect(Array(expected) == written, "\(String(decoding: written, as: UTF8.self))")
                if Array(expected) != written { return }
            }
        }
    }
}
