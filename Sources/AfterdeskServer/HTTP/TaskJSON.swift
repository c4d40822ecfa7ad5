import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows

/// The task list as JSON, written by hand: byte for byte what `JSONEncoder` writes with sorted keys and unescaped
/// slashes (`TaskJSONTests` checks it on random rows), at a fraction of the cost. The queue is the API's hottest route.
enum TaskJSON {
    static func encode(_ rows: [TaskRow]) -> [UInt8] {
        var w = Writer()
        w.out.reserveCapacity(rows.count * 700 + 2)
        w.byte(UInt8(ascii: "["))
        for (i, r) in rows.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.first = true
            w.text("assignee", r.assignee)
            w.int("assignee_id", r.assigneeID)
            w.text("customer", r.customer)
            w.text("detail", r.detail)
            w.text("due_at", Instant.iso8601(r.dueAt))
            w.text("email", r.email)
            w.text("escalated_to", r.escalatedTo)
            w.int("id", r.id)
            w.text("kind", r.kind.rawValue)
            w.text("outcome", r.outcome?.rawValue)
            w.key("overdue")
            w.raw(r.overdue ? "true" : "false")
            w.text("phone", r.phone)
            w.text("products", r.products)
            w.text("sla_at", Instant.iso8601(r.slaAt))
            w.text("status", r.status.rawValue)
            w.text("title", r.title)
            w.text("vehicle", r.vehicle)
            w.text("why", r.why)
            w.byte(UInt8(ascii: "}"))
        }
        w.byte(UInt8(ascii: "]"))
        return w.out
    }

    struct Writer {
        var out: [UInt8] = []
        /// The next key opens the object.
        var first = true

        mutating func byte(_ b: UInt8) { out.append(b) }

        mutating func raw(_ s: StaticString) { s.withUTF8Buffer { out.append(contentsOf: $0) } }

        mutating func key(_ k: StaticString) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            out.append(UInt8(ascii: "\""))
            raw(k)
            out.append(UInt8(ascii: "\""))
            out.append(UInt8(ascii: ":"))
        }

        mutating func text(_ k: StaticString, _ v: String?) {
            guard var v else { return }
            key(k)
            out.append(UInt8(ascii: "\""))
            v.withUTF8 { escaped($0) }
            out.append(UInt8(ascii: "\""))
        }

        mutating func int(_ k: StaticString, _ v: Int64?) {
            guard let v else { return }
            key(k)
            out.append(contentsOf: String(v).utf8)
        }

        static let hex: [UInt8] = Array("0123456789abcdef".utf8)

        /// A JSON string's contents as JSONEncoder escapes them: quotes, backslashes and control characters; `/` and
        /// non-ASCII as they are. Runs of bytes that need no escape are copied at once.
        mutating func escaped(_ b: UnsafeBufferPointer<UInt8>) {
            var start = 0
            for i in 0..<b.count {
                let c = b[i]
                guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
                if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<i])) }
                start = i + 1
                out.append(UInt8(ascii: "\\"))
                switch c {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(c)
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                default:
                    out.append(contentsOf: [
                        UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), Self.hex[Int(c >> 4)], Self.hex[Int(c & 0x0F)],
                    ])
                }
            }
            if start < b.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<b.count])) }
        }
    }
}
