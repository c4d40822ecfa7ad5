import AfterdeskCore
import Foundation

/// Where a readings file keeps its values, by the column names service systems use.
public struct ReadingColumns {
    public let vin: Int?, date: Int?, miles: Int?, source: Int?

    /// A reader of the file past its header, and where the header puts each value.
    public static func open(_ file: String) throws -> (CSVReader<FileByteSource>, ReadingColumns) {
        let reader = CSVReader(source: try FileByteSource(path: file))
        let hasHeader: Bool
        do { hasHeader = try reader.nextRow() } catch let e as CSVError { throw StoreError(.unreadableHeader(file, e)) }
        guard hasHeader else { throw StoreError(.empty(file)) }
        return (reader, try ReadingColumns(header: (0..<reader.fieldCount).map { reader.string($0) }, file: file))
    }

    public init(header raw: [String], file: String) throws {
        let header = raw.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func column(_ names: [String]) -> Int? { names.lazy.compactMap { header.firstIndex(of: $0) }.first }
        vin = column(["vin"])
        date = column(["date", "read_on", "service_date", "ro_date"])
        miles = column(["odometer", "miles", "mileage"])
        source = column(["source"])
        let missing = [("vin", vin), ("date", date), ("odometer", miles)].filter { $0.1 == nil }.map(\.0)
        if !missing.isEmpty { throw StoreError(.header(file, .missingColumns(missing))) }
    }

    /// A row's values, checked: a valid VIN, a date not after `today`, a plausible odometer.
    public struct Fields {
        public let vin: String
        public let vinText: String
        public let milesText: String
        public let day: LocalDate
        public let miles: Int
        public let source: String

        /// What is wrong when the reading is lower than the odometer at sale (`saleMiles` at `delivered`) on or after the
        /// delivery: (field, value, message); nil when it is plausible.
        public func belowSale(miles saleMiles: Int?, delivered: LocalDate?) -> FieldError? {
            guard let saleMiles, let delivered, day >= delivered && miles < saleMiles else { return nil }
            return ("odometer", milesText, "lower than the \(saleMiles) miles at sale on \(delivered)")
        }
    }

    /// The current row's values, or nil with what is wrong in `errors` (field, value, message).
    public func fields(_ reader: CSVReader<FileByteSource>, today: LocalDate, errors: inout [FieldError]) -> Fields? {
        func field(_ c: Int?) -> String { c.map { reader.string($0).trimmingCharacters(in: .whitespaces) } ?? "" }
        let vinText = field(vin)
        let dateText = field(date)
        let milesText = field(miles)
        let readSource = source.map { field($0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "service"
        var validVIN: String?
        switch VIN.validate(vinText) {
        case .success(let v): validVIN = v
        case .failure(let p): errors.append(("vin", vinText, p.description))
        }
        let day = LocalDate(dateText)
        if let day {
            if day > today { errors.append(("date", dateText, "reading date is after today (\(today))")) }
        } else {
            errors.append(("date", dateText, "not a date (expected YYYY-MM-DD or MM/DD/YYYY)"))
        }
        let read = Int(milesText.replacingOccurrences(of: ",", with: "")).flatMap { (0...999_999).contains($0) ? $0 : nil }
        if read == nil { errors.append(("odometer", milesText, "not a whole number of miles (0–999,999)")) }
        guard errors.isEmpty, let validVIN, let day, let read else { return nil }
        return Fields(vin: validVIN, vinText: vinText, milesText: milesText, day: day, miles: read, source: readSource)
    }
}
