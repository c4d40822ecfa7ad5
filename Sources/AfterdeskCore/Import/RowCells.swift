import Foundation

/// Field access for one row: reads raw bytes, converts, and records errors against the file's column names.
struct Cells<R: RowFields> {
    let row: R
    let layout: ImportLayout
    var errors: [RowError]
    /// What is kept but implausible.
    var warnings: [RowError] = []

    func raw(_ f: CanonicalField) -> UnsafeBufferPointer<UInt8>? {
        guard let i = layout.column(f) else { return nil }
        return Text.trim(row.field(i))
    }

    func isBlank(_ f: CanonicalField) -> Bool { (raw(f)?.count ?? 0) == 0 }

    func show(_ b: UnsafeBufferPointer<UInt8>) -> String { String(decoding: b, as: UTF8.self) }

    /// The bytes as a String; nil when they are not valid UTF-8. ASCII, the common case, is checked fast.
    @inline(__always) static func string(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        var ascii = true
        for c in b where c >= 0x80 {
            ascii = false
            break
        }
        if ascii { return String(decoding: b, as: UTF8.self) }
        return String(validating: b, as: UTF8.self)
    }

    /// ASCII-lower-cased text, for matching codes such as `Finance` or `SOLD` without Unicode case mapping.
    @inline(__always) static func lowerASCII(_ b: UnsafeBufferPointer<UInt8>) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: b.count) { out in
            for i in 0..<b.count {
                let c = b[i]
                out[i] = c >= 65 && c <= 90 ? c + 32 : c
            }
            return String(decoding: UnsafeBufferPointer(out), as: UTF8.self)
        }
    }

    mutating func fail(_ f: CanonicalField, _ message: String, value: String? = nil) {
        let v = value ?? raw(f).map(show) ?? ""
        errors.append(RowError(field: layout.columnName(f), value: v, message: message))
    }

    mutating func warn(_ f: CanonicalField, _ message: String) {
        warnings.append(RowError(field: layout.columnName(f), value: raw(f).map(show) ?? "", message: message))
    }

    mutating func warnColumn(_ column: Int?, _ name: String, _ message: String) {
        let v = column.map { show(Text.trim(row.field($0))) } ?? ""
        warnings.append(RowError(field: column.map { layout.header[$0] } ?? name, value: v, message: message))
    }

    mutating func failColumn(_ column: Int?, _ name: String, _ message: String) {
        let v = column.map { show(Text.trim(row.field($0))) } ?? ""
        errors.append(RowError(field: column.map { layout.header[$0] } ?? name, value: v, message: message))
    }

    mutating func text(_ f: CanonicalField, required: Bool = false) -> String? {
        guard let b = raw(f), b.count > 0 else {
            if required { fail(f, "required field is empty", value: "") }
            return nil
        }
        guard let s = Cells.string(b) else {
            fail(f, "not valid UTF-8 text")
            return nil
        }
        return s
    }

    mutating func check(_ f: CanonicalField, _ s: String, _ rule: (String) -> Result<String, FieldProblem>) -> String? {
        switch rule(s) {
        case .success(let v): return v
        case .failure(let p):
            fail(f, p.description)
            return nil
        }
    }

    mutating func date(_ f: CanonicalField, required: Bool = false) -> LocalDate? {
        guard let b = raw(f), b.count > 0 else {
            if required { fail(f, "required field is empty", value: "") }
            return nil
        }
        guard let d = LocalDate.parse(b) else {
            fail(f, "not a date (expected YYYY-MM-DD or MM/DD/YYYY)")
            return nil
        }
        if d.year < 1980 || d.year > 2100 {
            fail(f, "date out of range")
            return nil
        }
        return d
    }

    mutating func money(_ f: CanonicalField, required: Bool = false, positive: Bool) -> Money? {
        guard let b = raw(f), b.count > 0 else {
            if required { fail(f, "required field is empty", value: "") }
            return nil
        }
        return money(bytes: b, positive: positive) { me, message in me.fail(f, message) }
    }

    mutating func money(bytes b: UnsafeBufferPointer<UInt8>, positive: Bool, onError: (inout Self, String) -> Void) -> Money? {
        switch Money.parse(b) {
        case .success(let m):
            if m.cents < 0 {
                onError(&self, "must not be negative")
                return nil
            }
            if positive && m.cents == 0 {
                onError(&self, "must be more than zero")
                return nil
            }
            if m.cents > 100_000_000_00 {
                onError(&self, "more than $100,000,000 is not a deal amount")
                return nil
            }
            return m
        case .failure(let p):
            onError(&self, p.description)
            return nil
        }
    }

    mutating func rate(_ f: CanonicalField, required: Bool) -> Rate? {
        guard let b = raw(f), b.count > 0 else {
            if required { fail(f, "required field is empty", value: "") }
            return nil
        }
        guard let r = Rate.parse(b) else {
            fail(f, "not a percentage such as 6.9 (at most three decimals)")
            return nil
        }
        guard r.thousandthsOfPercent <= 36_000 else {
            fail(f, "APR above 36% is not a retail auto rate; write 6.9 for 6.9%")
            return nil
        }
        return r
    }

    mutating func int(_ f: CanonicalField, required: Bool = false, range: ClosedRange<Int>) -> Int? {
        guard let b = raw(f), b.count > 0 else {
            if required { fail(f, "required field is empty", value: "") }
            return nil
        }
        var v = 0
        var digits = 0
        for c in b {
            if c == UInt8(ascii: ",") { continue }
            guard c >= 48, c <= 57, v < 100_000_000 else {
                fail(f, "not a whole number")
                return nil
            }
            v = v * 10 + Int(c - 48)
            digits += 1
        }
        guard digits > 0 else {
            fail(f, "not a whole number")
            return nil
        }
        guard range.contains(v) else {
            fail(f, "out of range \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return v
    }

    mutating func flag(_ f: CanonicalField) -> Bool? {
        guard let b = raw(f) else { return nil }
        guard let v = YesNo.parse(b) else {
            fail(f, "not a flag (Y/N, yes/no, true/false, 1/0)")
            return nil
        }
        return v
    }

    mutating func choice<T>(_ f: CanonicalField, strict: Bool, required: Bool = false, parse: (String) -> T?) -> T? {
        guard let b = raw(f), b.count > 0 else {
            if required { fail(f, "required field is empty", value: "") }
            return nil
        }
        let s = Cells.lowerASCII(b)
        if let v = parse(s) { return v }
        if strict || f == .status {
            let allowed: String
            switch f {
            case .status: allowed = strict ? "finalized or unwound" : "a finalized or unwound status (only finalized deals are imported)"
            case .dealType: allowed = "cash, finance or lease"
            case .vehicleCondition: allowed = "new, used or certified"
            default: allowed = "a known value"
            }
            fail(f, "expected \(allowed)")
        }
        return nil
    }

    mutating func email(_ f: CanonicalField) -> String? {
        guard let s = text(f) else { return nil }
        return check(f, s, Email.normalize)
    }

    mutating func phone(_ f: CanonicalField) -> String? {
        guard let b = raw(f), b.count > 0 else { return nil }
        switch Phone.e164(b) {
        case .success(let p): return p
        case .failure(let p):
            fail(f, p.description)
            return nil
        }
    }

    mutating func vin() -> String? {
        guard let b = raw(.vin), b.count > 0 else {
            fail(.vin, "required field is empty", value: "")
            return nil
        }
        switch VIN.validate(b) {
        case .success(let v): return v
        case .failure(let p):
            fail(.vin, p.description)
            return nil
        }
    }

}
