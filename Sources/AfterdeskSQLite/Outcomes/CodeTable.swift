import Foundation

/// The product codes seen in a read (a menu has a handful), each kept once, looked up by the bytes of a column: a code
/// of up to 16 bytes is compared as two integers and its length, with no reference counted on the way; a longer one
/// byte by byte. Millions of rows of a ledger pass through here.
struct CodeTable {
    private var keys: [(low: UInt64, high: UInt64, count: Int)] = []
    private var codes: [String] = []
    private var long: [(bytes: [UInt8], code: String)] = []

    /// The code spelled by `bytes`.
    mutating func code(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let n = bytes.count
        guard n <= 16 else { return longCode(bytes) }
        var words: (UInt64, UInt64) = (0, 0)
        if n > 0, let base = bytes.baseAddress {
            withUnsafeMutableBytes(of: &words) { $0.baseAddress?.copyMemory(from: base, byteCount: n) }
        }
        let index = keys.withUnsafeBufferPointer { keys -> Int? in
            for i in 0..<keys.count where keys[i].low == words.0 && keys[i].high == words.1 && keys[i].count == n { return i }
            return nil
        }
        if let index { return codes[index] }
        let c = String(decoding: bytes, as: UTF8.self)
        keys.append((words.0, words.1, n))
        codes.append(c)
        return c
    }

    /// `code` of a product already read as a string.
    mutating func code(_ text: String) -> String {
        var t = text
        return t.withUTF8 { code($0) }
    }

    private mutating func longCode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        for c in long where c.bytes.count == bytes.count && c.bytes.withUnsafeBufferPointer({ $0.elementsEqual(bytes) }) {
            return c.code
        }
        let c = String(decoding: bytes, as: UTF8.self)
        long.append((Array(bytes), c))
        return c
    }
}
