import Foundation
import NIOCore
import PostgresNIO

/// An array parameter whose elements may be NULL (`text[]`, `timestamptz[]`, `int8[]`…): postgres-nio binds an array
/// of values but not one of optionals. A page's column goes to the server as one parameter, read back row by row with
/// `unnest`, so a page is written in one statement instead of one per row.
struct NullableArray<Element: PostgresArrayEncodable & PostgresNonThrowingEncodable>: PostgresNonThrowingEncodable {
    let elements: [Element?]

    init(_ elements: [Element?]) { self.elements = elements }

    static var psqlType: PostgresDataType { Element.psqlArrayType }
    static var psqlFormat: PostgresFormat { .binary }

    /// PostgreSQL's binary array: dimensions, a has-nulls flag, the element type, then (one dimension) its length and
    /// lower bound, then each element as its length and bytes, a NULL as length -1.
    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: UInt32.self)
        buffer.writeInteger(elements.contains { $0 == nil } ? 1 : 0, as: Int32.self)
        buffer.writeInteger(Element.psqlType.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(truncatingIfNeeded: elements.count), as: Int32.self)
        buffer.writeInteger(1, as: Int32.self)
        for element in elements {
            if let element {
                // The element's length, then its bytes (postgres-nio's own length-prefixing is internal to it).
                let lengthIndex = buffer.writerIndex
                buffer.writeInteger(0, as: Int32.self)
                let start = buffer.writerIndex
                element.encode(into: &buffer, context: context)
                buffer.setInteger(Int32(truncatingIfNeeded: buffer.writerIndex - start), at: lengthIndex, as: Int32.self)
            } else {
                buffer.writeInteger(-1, as: Int32.self)
            }
        }
    }
}

/// How a page of per-row writes becomes a few statements with the same effects as the rows written one at a time.
enum Batches {
    /// `items` cut, in order, into runs in which no key repeats. Written one row at a time, a row's write sees the rows
    /// before it (a touch moved, then claimed again; a message completed twice, the second finding it settled); one
    /// statement per run keeps that, since a key's second row goes to the next run. A page has one run in practice.
    static func runs<T, Key: Hashable>(_ items: [T], key: (T) -> Key) -> [[T]] {
        var runs: [[T]] = []
        var current: [T] = []
        var keys = Set<Key>()
        for item in items {
            if !keys.insert(key(item)).inserted {
                runs.append(current)
                current = []
                keys = [key(item)]
            }
            current.append(item)
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    /// The first item of each key, in order: what a page written row by row leaves when a row's key came before (the
    /// first settles the row; the second finds it settled and changes nothing).
    static func firstOfEach<T, Key: Hashable>(_ items: [T], key: (T) -> Key) -> [T] {
        var seen = Set<Key>()
        return items.filter { seen.insert(key($0)).inserted }
    }
}
