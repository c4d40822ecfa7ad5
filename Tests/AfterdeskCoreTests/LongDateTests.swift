import AfterdeskCore
import Testing

/// Dates for people are written one way everywhere: "March 14, 2027", "March 14".
@Suite struct LongDateTests {
    @Test func everyMonthByName() throws {
        let names = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
        ]
        for (i, name) in names.enumerated() {
            let d = try #require(LocalDate(year: 2027, month: i + 1, day: 1))
            #expect(d.longDate == "\(name) 1, 2027")
            #expect(d.monthDay == "\(name) 1")
        }
        #expect(LocalDate(year: 2028, month: 2, day: 29)?.longDate == "February 29, 2028")
        #expect(LocalDate(year: 2027, month: 3, day: 14)?.monthDay == "March 14")
    }
}
