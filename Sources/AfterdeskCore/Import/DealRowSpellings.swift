import Foundation

extension DealRowDecoder {
    // MARK: Value spellings

    static func status(_ s: String) -> DealStatus? {
        switch s {
        case "finalized", "finalised", "final", "f", "closed", "c", "sold", "booked", "b", "posted", "p", "delivered", "d":
            return .finalized
        case "unwound", "unwind", "u", "void", "voided", "v", "cancelled", "canceled", "x": return .unwound
        default: return nil
        }
    }

    static func dmsDealType(_ s: String) -> DealType? {
        if s.contains("lease") || s == "l" { return .lease }
        if s.contains("cash") || s == "c" { return .cash }
        if s.contains("financ") || s.contains("retail") || s.contains("balloon") || s.contains("purchase")
            || s.contains("installment") || s == "r" || s == "f"
        {
            return .finance
        }
        return nil
    }

    static func dmsCondition(_ s: String) -> VehicleCondition? {
        switch s {
        case "new", "n": return .new
        case "used", "u", "pre-owned", "preowned": return .used
        case "certified", "cpo", "c", "certified pre-owned", "certified preowned", "certified used": return .certified
        default: return nil
        }
    }

    /// "LOPEZ, MARIA A" (DMS style) or "Maria Lopez".
    static func splitName(_ full: String) -> (first: String?, last: String?) {
        func cap(_ s: Substring) -> String {
            let t = s.trimmingCharacters(in: .whitespaces)
            // DMS exports shout; people's names are written with capitals only at the start of words.
            guard t == t.uppercased() else { return t }
            return t.lowercased().split(separator: " ").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
        }
        if let comma = full.firstIndex(of: ",") {
            let last = cap(full[..<comma])
            let rest = full[full.index(after: comma)...].split(separator: " ")
            return (rest.first.map { cap($0) }, last.isEmpty ? nil : last)
        }
        let parts = full.split(separator: " ")
        guard parts.count >= 2 else { return (nil, parts.first.map { cap($0) }) }
        return (cap(parts[0]), cap(parts[parts.count - 1]))
    }

    /// A stable id for staff known only by name ("SMITH, JOHN" → "smith-john").
    static func staffID(fromName name: String) -> String {
        Menu.fold(name).replacingOccurrences(of: " ", with: "-")
    }
}
