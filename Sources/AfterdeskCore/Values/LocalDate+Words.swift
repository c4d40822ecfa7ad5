import Foundation

extension LocalDate {
    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]

    private var monthName: String { Self.monthNames[min(max(month, 1), 12) - 1] }

    /// "March 14, 2027": the one way a date is written for people (messages, pages, talking points).
    public var longDate: String { "\(monthName) \(day), \(year)" }

    /// "March 14".
    public var monthDay: String { "\(monthName) \(day)" }
}
