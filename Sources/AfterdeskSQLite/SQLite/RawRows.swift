import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

/// The rows of a query, copied out of SQLite as they are (integers, and text bytes in one buffer), to be turned
/// into values elsewhere: the thread that talks to SQLite only copies, another one builds the strings.
struct RawRows: Sendable {
    let columns: Int
    /// Per cell: the integer, or for text the offset into `bytes` (length in `lengths`).
    private var values: [Int64] = []
    /// Per cell: -1 for NULL, -2 for an integer, else the text's length.
    private var lengths: [Int32] = []
    private var bytes: [UInt8] = []
    /// Per column: true when it holds integers.
    private let integer: [Bool]

    init(columns: Int, integers: Set<Int>) {
        self.columns = columns
        integer = (0..<columns).map(integers.contains)
    }

    var count: Int { lengths.count / max(1, columns) }

    /// Appends the current row of `s`: integer columns as integers (or NULL), the others as text.
    mutating func append(_ s: RawStatement) {
        for c in 0..<Int32(columns) {
            if s.isNull(c) {
                values.append(0)
                lengths.append(-1)
            } else if integer[Int(c)] {
                values.append(s.int64(c))
                lengths.append(-2)
            } else {
                let n = s.appendText(c, to: &bytes)
                values.append(Int64(bytes.count - n))
                lengths.append(Int32(n))
            }
        }
    }

    /// Appends every row `s` gives, then resets it.
    mutating func appendAll(_ s: RawStatement) throws {
        defer { s.reset() }
        while try s.step() { append(s) }
    }

    func isNull(_ row: Int, _ col: Int) -> Bool { lengths[row * columns + col] == -1 }
    func int64(_ row: Int, _ col: Int) -> Int64 { values[row * columns + col] }
    func int(_ row: Int, _ col: Int) -> Int { Int(values[row * columns + col]) }
    func bool(_ row: Int, _ col: Int) -> Bool { values[row * columns + col] != 0 }
    func optionalInt64(_ row: Int, _ col: Int) -> Int64? { isNull(row, col) ? nil : int64(row, col) }
    func optionalText(_ row: Int, _ col: Int) -> String? {
        let i = row * columns + col
        let n = Int(lengths[i])
        guard n >= 0 else { return nil }
        let start = Int(values[i])
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<start + n]), as: UTF8.self) }
    }
    func text(_ row: Int, _ col: Int) -> String { optionalText(row, col) ?? "" }
    func date(_ row: Int, _ col: Int) -> LocalDate? {
        let i = row * columns + col
        let n = Int(lengths[i])
        guard n >= 0 else { return nil }
        let start = Int(values[i])
        return bytes.withUnsafeBufferPointer { LocalDate.parse(UnsafeBufferPointer(rebasing: $0[start..<start + n])) }
    }
}
