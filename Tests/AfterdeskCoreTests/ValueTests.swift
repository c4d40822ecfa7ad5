import AfterdeskCore
import AfterdeskDemo
import Testing

@Suite struct LocalDateTests {
    @Test(arguments: [
        ("2026-03-14", 2026, 3, 14), ("03/14/2026", 2026, 3, 14), ("3/4/2026", 2026, 3, 4),
        ("12/31/1999", 1999, 12, 31), ("2024-02-29", 2024, 2, 29), ("2000-02-29", 2000, 2, 29),
    ])
    func parsesBothFormats(text: String, y: Int, m: Int, d: Int) {
        #expect(LocalDate(text) == LocalDate(year: y, month: m, day: d))
    }

    @Test(arguments: [
        "2026-02-29", "1900-02-29", "2026-13-01", "2026-00-10", "13/45/2025", "2026/03/14", "14-03-2026",
        "2026-3-14", "", "yesterday", "03/14/26", "2026-03-14T10:00", "03/14/2026 ", "0/1/2026",
    ])
    func refusesImpossibleOrAmbiguousDates(text: String) {
        #expect(LocalDate(text) == nil)
    }

    @Test func daysSinceEpochRoundTripsEveryDayOfFourCenturies() {
        var previous = LocalDate(year: 1799, month: 12, day: 31)!.daysSinceEpoch
        for n in LocalDate(year: 1800, month: 1, day: 1)!.daysSinceEpoch...LocalDate(year: 2200, month: 12, day: 31)!.daysSinceEpoch {
            let d = LocalDate(daysSinceEpoch: n)
            #expect(d.daysSinceEpoch == n)
            #expect(n == previous + 1)
            previous = n
        }
        #expect(LocalDate(year: 1970, month: 1, day: 1)!.daysSinceEpoch == 0)
        #expect(LocalDate(year: 2026, month: 11, day: 22)!.daysSinceEpoch == 20_779)
    }

    @Test func addingMonthsClampsToTheEndOfShorterMonths() {
        let jan31 = LocalDate(year: 2024, month: 1, day: 31)!
        #expect(jan31.adding(months: 1) == LocalDate(year: 2024, month: 2, day: 29))
        #expect(jan31.adding(months: 13) == LocalDate(year: 2025, month: 2, day: 28))
        #expect(jan31.adding(months: -2) == LocalDate(year: 2023, month: 11, day: 30))
        #expect(LocalDate(year: 2024, month: 2, day: 29)!.adding(years: 3) == LocalDate(year: 2027, month: 2, day: 28))
        #expect(jan31.adding(days: 30) == LocalDate(year: 2024, month: 3, day: 1))
    }

    @Test func printsISO() {
        #expect(LocalDate(year: 2026, month: 3, day: 4)!.description == "2026-03-04")
        var bytes: [UInt8] = []
        LocalDate(year: 987, month: 10, day: 9)!.withISOBytes { bytes = Array($0) }
        #expect(String(decoding: bytes, as: UTF8.self) == "0987-10-09")
    }
}

@Suite struct MoneyTests {
    @Test(arguments: [
        ("1234.56", 123_456), ("1,234.56", 123_456), ("$1,234.56", 123_456), ("$1234", 123_400), ("0.5", 50),
        (".99", 99), ("12.", 1_200), ("1,000,000.00", 100_000_000), ("-12.50", -1_250), ("(12.50)", -1_250),
        ("-$3.10", -310), (" 42.00 ", 4_200), ("2495.000", 249_500), ("7", 700),
    ])
    func parsesCommonSpellingsExactly(text: String, cents: Int64) {
        #expect(Money(text)?.cents == cents)
    }

    @Test(arguments: [
        ("12.345", Money.ParseError.tooManyDecimals), ("$24,99.00", .badGrouping), ("1,2345.00", .badGrouping),
        ("12,34", .badGrouping), ("1234,567.00", .badGrouping), ("12a", .notANumber), ("$", .notANumber),
        ("", .empty), ("   ", .empty), ("1.2.3", .notANumber), ("€12", .notANumber),
    ])
    func refusesInexactOrMalformedAmounts(text: String, error: Money.ParseError) {
        var copy = text
        let result = copy.withUTF8 { Money.parse(UnsafeBufferPointer(rebasing: $0[...])) }
        #expect(result == .failure(error))
    }

    @Test func printsTwoDecimalsAndGroupsForPeople() {
        #expect(Money(cents: 123_456).description == "1234.56")
        #expect(Money(cents: -5).description == "-0.05")
        #expect(Money(cents: 100_000_000).formatted == "$1,000,000.00")
        #expect(Money(cents: 99).formatted == "$0.99")
        #expect(Money(cents: 123_456_7).formatted == "$12,345.67")
    }

    @Test func ratesAreExactToAThousandthOfAPercent() {
        #expect(Rate("6.9")?.thousandthsOfPercent == 6_900)
        #expect(Rate("6.99%")?.thousandthsOfPercent == 6_990)
        #expect(Rate("0")?.thousandthsOfPercent == 0)
        #expect(Rate("15.125")?.thousandthsOfPercent == 15_125)
        #expect(Rate("6.9000")?.thousandthsOfPercent == 6_900)
        #expect(Rate("6.9999") == nil)
        #expect(Rate("six") == nil)
        #expect(Rate("") == nil)
        #expect(Rate(thousandthsOfPercent: 6_900).description == "6.9")
        #expect(Rate(thousandthsOfPercent: 4_990).description == "4.99")
        #expect(Rate(thousandthsOfPercent: 5_005).description == "5.005")
    }
}

@Suite struct VINTests {
    @Test(arguments: ["1HGCM82633A004352", "1M8GDM9AXKP042788", "4T1B11HK7RU000001", "5YJ3E1EA6RF000010", "1ftfw1e5xpfa00002"])
    func acceptsValidVINs(vin: String) throws {
        #expect(try VIN.validate(vin).get() == vin.uppercased())
    }

    @Test func reportsTheExpectedCheckDigit() {
        // The example of INTERFACES.md: the last character mistyped as X.
        #expect(VIN.validate("1HGCM82633A00435X") == .failure(.checkDigit(expected: "2", found: "3")))
        #expect(VIN.validate("1HGCM82643A004352") == .failure(.checkDigit(expected: "3", found: "4")))
    }

    @Test(arguments: [
        ("1HGCM82633A00435", VIN.Problem.length(16)), ("1HGCM82633A0043521", .length(18)),
        ("1HGCM82633A0O4352", .character("O")), ("IHGCM82633A004352", .character("I")),
        ("1HGCM82633A0Q4352", .character("Q")), ("1HGCM8263-A004352", .character("-")),
    ])
    func refusesMalformedVINs(vin: String, problem: VIN.Problem) {
        #expect(VIN.validate(vin) == .failure(problem))
    }

    @Test func everySingleCharacterChangeThatAltersTheSumIsCaught() {
        // Changing one character at a weighted position changes the weighted sum by w·Δ, which is a
        // multiple of 11 only when Δ is (the weights are 2…10, and 11 is prime): such a typo is caught.
        let valid = Array("1HGCM82633A004352".utf8)
        let alphabet = Array("ABCDEFGHJKLMNPRSTUVWXYZ0123456789".utf8)
        let value: (UInt8) -> Int = { c in
            let table: [Character: Int] = [
                "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8, "J": 1, "K": 2, "L": 3,
                "M": 4, "N": 5, "P": 7, "R": 9, "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
            ]
            return c >= 48 && c <= 57 ? Int(c - 48) : table[Character(Unicode.Scalar(c))]!
        }
        var caught = 0
        var total = 0
        for position in 0..<17 where position != 8 {
            for c in alphabet where c != valid[position] {
                var typo = valid
                typo[position] = c
                let delta = value(c) - value(valid[position])
                let result = VIN.validate(String(decoding: typo, as: UTF8.self))
                if delta % 11 == 0 {
                    #expect((try? result.get()) != nil)  // same value: indistinguishable, as the standard says
                } else {
                    total += 1
                    if case .failure(.checkDigit) = result { caught += 1 }
                }
            }
        }
        #expect(caught == total)
        #expect(total > 400)
    }

    @Test func generatedVINsAlwaysValidate() {
        var rng = SeededRandom(seed: 1)
        for year in 1981...2039 {
            for _ in 0..<50 {
                let v = SyntheticDealership.vin(wmi: "1FA", year: year, rng: &rng)
                #expect((try? VIN.validate(v).get()) == v)
            }
        }
    }
}

@Suite struct ContactTests {
    @Test(arguments: [
        "(512) 555-0142", "512-555-0142", "512.555.0142", "5125550142", "+1 512 555 0142", "1-512-555-0142",
        "+15125550142", " (512)555-0142 ",
    ])
    func phonesBecomeE164(text: String) throws {
        #expect(try Phone.e164(text).get() == "+15125550142")
    }

    @Test(arguments: [
        "555-0142", "512-555-014", "44 20 7946 0958", "(012) 555-0142", "512-155-0142", "512 555 0142 x12",
        "2-512-555-0142", "phone",
    ])
    func refusesNumbersThatAreNotUS(text: String) {
        #expect((try? Phone.e164(text).get()) == nil)
    }

    @Test(arguments: [
        ("maria.lopez@example.com", "maria.lopez@example.com"), ("Maria+cars@Example.COM", "Maria+cars@example.com"),
        ("o'brien@mail.example.org", "o'brien@mail.example.org"), ("a@b.co", "a@b.co"),
    ])
    func acceptsEmails(text: String, normalized: String) throws {
        #expect(try Email.normalize(text).get() == normalized)
    }

    @Test(arguments: [
        "maria@", "@example.com", "maria.example.com", "maria@@example.com", "maria lopez@example.com",
        "maria@example", "maria@-example.com", "maria@example-.com", ".maria@example.com", "maria.@example.com",
        "ma..ria@example.com", "maria@example.c", "maria@example.123", "maria@exa_mple.com", "maria at example.com",
    ])
    func refusesMalformedEmails(text: String) {
        #expect((try? Email.normalize(text).get()) == nil)
    }

    @Test func statesZipsAndFlags() throws {
        #expect(try USState.normalize("tx").get() == "TX")
        #expect(try USState.normalize("PR").get() == "PR")
        #expect((try? USState.normalize("XX").get()) == nil)
        #expect((try? USState.normalize("Texas").get()) == nil)
        #expect(try ZIP.normalize("78701").get() == "78701")
        #expect(try ZIP.normalize("78701-1234").get() == "78701")
        #expect((try? ZIP.normalize("7870").get()) == nil)
        #expect((try? ZIP.normalize("78701-12").get()) == nil)
        for (text, value) in [
            ("Y", true), ("yes", true), ("TRUE", true), ("1", true), ("n", false), ("No", false),
            ("false", false), ("0", false),
        ] {
            var copy = text
            #expect(copy.withUTF8 { YesNo.parse(UnsafeBufferPointer(rebasing: $0[...])) } == .some(value))
        }
        var blank = ""
        #expect(blank.withUTF8 { YesNo.parse(UnsafeBufferPointer(rebasing: $0[...])) } == .some(nil))
        var bad = "maybe"
        #expect(bad.withUTF8 { YesNo.parse(UnsafeBufferPointer(rebasing: $0[...])) } == nil)
    }
}
