import AfterdeskCore
import Testing

let today = LocalDate(year: 2026, month: 11, day: 22)!

/// Decodes every data row of a CSV text with a profile.
func decodeCSV(_ text: String, profile: ImportProfile = .canonical) throws -> [(record: DealRecord?, errors: [RowError])] {
    try decodeCSVWithWarnings(text, profile: profile).map { ($0.record, $0.errors) }
}

/// As `decodeCSV`, with each row's warnings.
func decodeCSVWithWarnings(_ text: String, profile: ImportProfile = .canonical) throws
    -> [(record: DealRecord?, errors: [RowError], warnings: [RowError])]
{
    let menu = try defaultMenu()
    let reader = CSVReader(source: BytesSource(text))
    _ = try reader.nextRow()
    let layout = try ImportLayout(header: (0..<reader.fieldCount).map { reader.string($0) }, profile: profile, menu: menu)
    let decoder = DealRowDecoder(layout: layout, menu: menu, today: today)
    var out: [(DealRecord?, [RowError], [RowError])] = []
    while try reader.nextRow() {
        var errors: [RowError] = []
        var warnings: [RowError] = []
        let r = decoder.decode(reader, errors: &errors, warnings: &warnings)
        out.append((r, errors, warnings))
    }
    return out
}

let canonicalHeader =
    "deal_number,contract_date,deal_type,buyer_first_name,buyer_last_name,buyer_email,buyer_phone,buyer_state,buyer_zip,consent_sms,vin,vehicle_year,vehicle_make,vehicle_model,vehicle_condition,odometer,in_service_date,selling_price,vehicle_value,amount_financed,apr,term_months,first_payment_date,vsc_outcome,vsc_price,vsc_cost,vsc_reason,gap_outcome,gap_price"
let goodRow =
    "D-1,2026-06-01,finance,Maria,Lopez,maria@example.com,(512) 555-0142,tx,78701-1234,Y,4T1B11HK7RU000001,2026,Toyota,Camry,new,12,,\"$31,250.00\",29000,34500.00,6.9,72,2026-07-15,declined,2495.00,,Payment,sold,895,"

/// The good row with one column replaced.
func row(_ column: String, _ value: String) -> String { row([column: value]) }

/// The good row with some columns replaced.
func row(_ changes: [String: String]) -> String {
    let names = canonicalHeader.split(separator: ",").map(String.init)
    var cells = goodRow.replacingOccurrences(of: "\"$31,250.00\"", with: "31250.00").split(separator: ",", omittingEmptySubsequences: false)
        .map(String.init)
    for (column, value) in changes { cells[names.firstIndex(of: column)!] = value }
    return cells.map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ",")
}

@Suite struct CanonicalDecoderTests {
    @Test func aGoodRowBecomesACompleteRecord() throws {
        let rows = try decodeCSV(canonicalHeader + "\n" + goodRow + "\n")
        let r = try #require(rows.first?.record)
        #expect(rows[0].errors.isEmpty)
        #expect(r.dealNumber == "D-1" && r.store == "main" && r.status == .finalized)
        #expect(r.contractDate == LocalDate(year: 2026, month: 6, day: 1) && r.deliveryDate == r.contractDate)
        #expect(r.buyerPhone == "+15125550142" && r.buyerState == "TX" && r.buyerZip == "78701")
        #expect(r.consent == Consent(sms: true, email: false, phone: false))
        #expect(r.sellingPrice == Money(cents: 3_125_000) && r.vehicleValue == Money(cents: 2_900_000))
        #expect(r.apr == Rate(thousandthsOfPercent: 6_900) && r.termMonths == 72)
        #expect(r.inServiceDate == r.deliveryDate)
        #expect(
            r.products == [
                ProductLine(code: "vsc", outcome: .declined, price: Money(cents: 249_500), reason: "payment"),
                ProductLine(code: "gap", outcome: .sold, price: Money(cents: 89_500)),
            ])
        #expect(r.customerMatchKey == "p:+15125550142")
    }

    @Test(arguments: [
        ("vin", "4T1B11HK8RU000001", "VIN check digit does not match (position 9 is '8', expected '7')"),
        ("contract_date", "2026-02-30", "not a date (expected YYYY-MM-DD or MM/DD/YYYY)"),
        ("contract_date", "2027-01-01", "contract date is after today (2026-11-22)"),
        ("contract_date", "", "required field is empty"),
        ("deal_type", "loan", "expected cash, finance or lease"),
        ("buyer_phone", "555-0142", "a US phone number has 10 digits (or 11 starting with 1), got 7"),
        ("buyer_email", "maria@", "the domain after @ needs a dot (example.com)"),
        ("buyer_state", "XX", "not a US state code (two letters such as TX)"),
        ("buyer_zip", "787", "not a ZIP code (12345 or 12345-6789)"),
        ("consent_sms", "sure", "not a flag (Y/N, yes/no, true/false, 1/0)"),
        ("selling_price", "$24,99.00", "thousands separators in the wrong place"),
        ("selling_price", "0", "must be more than zero"),
        ("vehicle_value", "-5", "must not be negative"),
        ("apr", "69", "APR above 36% is not a retail auto rate; write 6.9 for 6.9%"),
        ("apr", "6.9.1", "not a percentage such as 6.9 (at most three decimals)"),
        ("term_months", "120", "out of range 1...96"),
        ("term_months", "six", "not a whole number"),
        ("amount_financed", "", "required for a finance deal"),
        ("first_payment_date", "2026-05-01", "first payment must fall within 120 days after the contract date 2026-06-01"),
        ("odometer", "1,000,000", "out of range 0...999999"),
        ("vehicle_year", "1975", "out of range 1981...2028"),
        ("vehicle_condition", "demo", "expected new, used or certified"),
        ("vsc_outcome", "maybe", "expected sold, declined or not_offered (or blank)"),
        ("gap_price", "", "a sold product needs its price"),
        ("buyer_last_name", "", "required field is empty"),
    ])
    func eachBadFieldIsNamedWithItsValue(column: String, value: String, message: String) throws {
        let rows = try decodeCSV(canonicalHeader + "\n" + row(column, value) + "\n")
        #expect(rows[0].record == nil)
        #expect(rows[0].errors.contains(RowError(field: column, value: value, message: message)), "\(rows[0].errors)")
    }

    /// Valid in form, implausible in fact: the row is kept and each value is reported as a warning.
    @Test(arguments: [
        (
            ["odometer": "1", "vehicle_condition": "used", "in_service_date": "2023-07-01", "vehicle_year": "2023"], "odometer",
            "1 mile in 2.9 years implies 0 miles a year: a placeholder or a typo?; not used to project mileage"
        ),
        (
            ["odometer": "400000"], "odometer",
            "400,000 miles on a vehicle in service for 0 days is more than 100,000 miles a year; not used to project mileage"
        ),
        (["vehicle_year": "2028"], "vehicle_year", "model year 2028 is more than a year after the sale in 2026"),
        (
            ["vsc_price": "0.01"], "vsc_price",
            "quoted at $0.01, under a tenth of the menu's $2,495.00; the menu's price is used for planning"
        ),
        (
            ["vsc_price": "99999"], "vsc_price",
            "quoted at $99,999.00, over five times the menu's $2,495.00; the menu's price is used for planning"
        ),
    ])
    func implausibleValuesAreKeptWithAWarning(changes: [String: String], column: String, message: String) throws {
        let rows = try decodeCSVWithWarnings(canonicalHeader + "\n" + row(changes) + "\n")
        #expect(rows[0].record != nil, "\(rows[0].errors)")
        #expect(rows[0].errors.isEmpty)
        #expect(rows[0].warnings == [RowError(field: column, value: changes[column] ?? "", message: message)])
    }

    /// What menu systems export routinely is kept: the rate card's dealer cost on a declined product, and a price on
    /// a product that was not offered.
    @Test func menuSystemRowsWithCostsOnDeclinesAreKept() throws {
        let withCost = try decodeCSVWithWarnings(canonicalHeader + "\n" + row("vsc_cost", "100.00") + "\n")
        let r = try #require(withCost[0].record)
        #expect(withCost[0].errors.isEmpty && withCost[0].warnings.isEmpty)
        #expect(r.products.first == ProductLine(code: "vsc", outcome: .declined, price: Money(cents: 249_500), reason: "payment"))
        let notOffered = row("vsc_outcome", "not_offered").replacingOccurrences(of: ",Payment,", with: ",,")
        let priced = try decodeCSVWithWarnings(canonicalHeader + "\n" + notOffered + "\n")
        #expect(priced[0].record?.products.map(\.code) == ["gap"] && priced[0].errors.isEmpty)
    }

    @Test func aUsedVehicleNeedsItsInServiceDate() throws {
        let used = row("vehicle_condition", "used")
        let missing = try decodeCSV(canonicalHeader + "\n" + used + "\n")
        #expect(missing[0].errors == [RowError(field: "in_service_date", value: "", message: "required field is empty")])
        let withDate = try decodeCSV(canonicalHeader + "\n" + used.replacingOccurrences(of: ",12,,", with: ",12,2025-10-01,") + "\n")
        #expect(withDate[0].record?.inServiceDate == LocalDate(year: 2025, month: 10, day: 1))
        let tooEarly = try decodeCSV(canonicalHeader + "\n" + used.replacingOccurrences(of: ",12,,", with: ",12,2024-03-01,") + "\n")
        #expect(tooEarly[0].errors.first?.message == "in-service date is before model year 2026 vehicles were built")
        let afterSale = try decodeCSV(canonicalHeader + "\n" + used.replacingOccurrences(of: ",12,,", with: ",12,2026-07-01,") + "\n")
        #expect(afterSale[0].errors.first?.message == "in-service date is after the contract date 2026-06-01")
    }

    @Test func cashDealsIgnoreFinancingAndAllErrorsOfARowAreListed() throws {
        let cash = row("deal_type", "cash").replacingOccurrences(of: ",34500.00,6.9,72,2026-07-15,", with: ",,,,,")
        #expect(try decodeCSV(canonicalHeader + "\n" + cash + "\n")[0].record?.amountFinanced == nil)
        let many = row("vin", "BAD").replacingOccurrences(of: "2026-06-01", with: "06/31/2026")
        let errors = try decodeCSV(canonicalHeader + "\n" + many + "\n")[0].errors
        #expect(Set(errors.map(\.field)).isSuperset(of: ["vin", "contract_date"]))
    }

    @Test func aMissingRequiredColumnRefusesTheWholeFile() throws {
        let header = canonicalHeader.replacingOccurrences(of: "vin,", with: "")
        #expect(throws: ImportLayout.HeaderError.missingColumns(["vin"])) {
            try ImportLayout(header: header.split(separator: ",").map(String.init), profile: .canonical, menu: try defaultMenu())
        }
        let layout = try ImportLayout(
            header: (canonicalHeader + ",trade_in_vin").split(separator: ",").map(String.init),
            profile: .canonical, menu: try defaultMenu())
        #expect(layout.unknownColumns == ["trade_in_vin"])
    }

    @Test func theFingerprintIsStableAndSeesEveryChange() throws {
        let a = try #require(try decodeCSV(canonicalHeader + "\n" + goodRow + "\n")[0].record)
        #expect(a.fingerprint == a.fingerprint)
        var b = a
        b.products[0].reason = "price"
        #expect(a.fingerprint != b.fingerprint)
        b = a
        b.consent.sms = false
        #expect(a.fingerprint != b.fingerprint)
        // Known value: the fingerprint is stored, so it must not change between builds.
        #expect(a.fingerprint == DealRecordFingerprint.expectedForGoodRow)
    }
}

enum DealRecordFingerprint {
    /// FNV-1a of the good row's record. If this changes, every stored deal would look "updated" on re-import:
    /// change it only with a migration that recomputes stored fingerprints.
    static let expectedForGoodRow: Int64 = -6_534_306_405_744_021_267
}

@Suite struct DMSProfileTests {
    static let cdk = """
        DealNo,FiWipStatusCode,ContractDate,DealType,SaleType,Name,Email1,HomePhone,BusinessPhone,State,ZipOrPostalCode,VIN,Year,MakeName,ModelName,VehicleMileage,CashPrice,FinanceAmt,APR,Term,FirstPayDate,Salesperson1,CRMSP1Name,FIMgr1,CRMFIMgrName,MBIName,MBIFee,MBICost,Insurance1Name,Ins1Fee,Ins1Cost,FeeOption1Name,FeeOption1Amount,FeeOption1Cost
        314403,F,2026-05-02,Retail,N,"LOPEZ,MARIA A",maria@example.com,5125550142,,TX,78701,4T1B11HK7RU000001,2026,TOYOTA,CAMRY,11,31250.00,34500.00,6.90,72,2026-06-16,1042,DANA WHITFIELD,2201,KAREN LIU,TOYOTACARE VSC,2195.00,1100.00,CREDIT LIFE,450.00,200.00,TIRE & WHEEL,799.00,260.00
        314404,F,2026-05-03,Cash,U,"SMITH,JAMES",,,512-555-0199,TX,78704,1FTFW1E5XPFA00002,2023,FORD,F-150,31250,38000.00,,,,,1043,MARCUS BELL,2202,VICTOR OSEI,,,,,,,,,
        314406,O,2026-05-05,Retail,N,"DAVIS,MICHAEL",md@example.com,5125550188,,TX,78701,KNDPM3AC6R7000005,2026,KIA,TELLURIDE,5,41000.00,42000.00,5.9,60,2026-06-18,1044,ALICIA RAMOS,2201,KAREN LIU,,,,,,,,,
        """

    @Test func cdkSoldItemsMapByNameAndTheRestIsPresumedDeclined() throws {
        let rows = try decodeCSV(DMSProfileTests.cdk + "\n", profile: .cdk)
        let lopez = try #require(rows[0].record)
        #expect(lopez.buyerFirstName == "Maria" && lopez.buyerLastName == "Lopez")
        #expect(lopez.dealType == .finance && lopez.vehicleCondition == .new && lopez.vehicleMake == "TOYOTA")
        #expect(lopez.salesperson == StaffRef(id: "1042", name: "DANA WHITFIELD"))
        #expect(
            lopez.products == [
                ProductLine(code: "vsc", outcome: .sold, price: Money(cents: 219_500), cost: Money(cents: 110_000)),
                ProductLine(code: "gap", outcome: .declined, presumed: true),
                ProductLine(code: "tire_wheel", outcome: .sold, price: Money(cents: 79_900), cost: Money(cents: 26_000)),
                ProductLine(code: "appearance", outcome: .declined, presumed: true),
                ProductLine(code: "maintenance", outcome: .declined, presumed: true),
            ])
        let smith = try #require(rows[1].record)
        #expect(smith.dealType == .cash && smith.buyerPhone == "+15125550199")
        #expect(smith.product("gap") == nil, "a cash deal has no GAP to decline")
        #expect(smith.inServiceEstimated && smith.inServiceDate == LocalDate(year: 2023, month: 1, day: 1))
        #expect(rows[2].record == nil)
        #expect(rows[2].errors.first?.field == "FiWipStatusCode")
    }

    @Test func dealervaultBlockFlagsAndLeases() throws {
        let text = """
            Deal Number,Deal Status,Contract Date,Deal Type,New/Used,First Name,Last Name,Email 1,Cell Phone,Home Phone,State,Zip,Block Email,Block Phone,VIN,Year,Make,Model,Delivery Mileage,Sales Price,Amount Financed,APR,Term,First Pay Date,Warranty 1 Name,Warranty 1 Sale,Warranty 1 Cost,Guaranteed Auto Protection Name,Guaranteed Auto Protection Sale,Guaranteed Auto Protection Cost
            55001,Finalized,05/02/2026,Finance,N,Maria,Lopez,maria@example.com,(512) 555-0142,,TX,78701,N,Y,4T1B11HK7RU000001,2026,Toyota,Camry,11,31250.00,34500.00,6.90,72,06/16/2026,,,,Ally GAP Plus,895.00,300.00
            55002,Finalized,05/03/2026,Lease,N,James,Smith,js@example.com,,(512) 555-0199,TX,78704,Y,N,1HGCV1F36RA000003,2025,Honda,Accord,8,29900.00,29000.00,3.9,36,06/17/2026,Honda Care,1895.00,900.00,,,
            """
        let rows = try decodeCSV(text + "\n", profile: .dealervault)
        let lopez = try #require(rows[0].record)
        // Block Email N is a relationship, not email consent (issue 24); Block Phone Y: no SMS, no call, an opt-out.
        #expect(lopez.consent == Consent(sms: false, email: false, phone: false))
        #expect(lopez.contactBlocks == [.sms, .phone].map { ContactBlock(address: "+15125550142", channel: $0, field: "Block Phone") })
        #expect(lopez.product("gap")?.outcome == .sold && lopez.product("vsc")?.outcome == .declined)
        let smith = try #require(rows[1].record)
        #expect(smith.buyerPhone == "+15125550199", "home phone when there is no cell phone")
        #expect(smith.consent == Consent(sms: false, email: false, phone: true))
        #expect(smith.contactBlocks == [ContactBlock(address: "js@example.com", channel: .email, field: "Block Email")])
        #expect(smith.dealType == .lease && smith.product("gap") == nil, "the lease includes GAP")
        #expect(smith.product("vsc") == ProductLine(code: "vsc", outcome: .sold, price: Money(cents: 189_500), cost: Money(cents: 90_000)))
    }
}

@Suite struct JSONReaderTests {
    func read(_ text: String) throws -> [(line: Int, record: DealRecord?, errors: [RowError])] {
        let menu = try defaultMenu()
        let reader = JSONDealReader(source: BytesSource(text), menu: menu)
        let layout = try ImportLayout(header: reader.header, profile: .canonical, menu: menu)
        let decoder = DealRowDecoder(layout: layout, menu: menu, today: today)
        var out: [(Int, DealRecord?, [RowError])] = []
        while try reader.nextDeal() {
            var errors: [RowError] = []
            let r = decoder.decode(reader.row, errors: &errors)
            out.append((reader.rowLine, r, errors))
        }
        return out
    }

    static let deal = """
        {"deal_number": "J-1", "contract_date": "2026-06-01", "deal_type": "cash", "buyer_first_name": "Maria",
         "buyer_last_name": "Lopez", "consent_sms": true, "vin": "4T1B11HK7RU000001", "vehicle_year": 2026,
         "vehicle_make": "Toyota", "vehicle_model": "Camry", "vehicle_condition": "new", "odometer": 12,
         "selling_price": 31250.10, "vehicle_value": "29000.00",
         "products": [{"code": "vsc", "outcome": "declined", "price": 2495, "reason": "payment"}]}
        """

    @Test func arraysWrappedArraysAndJSONLinesReadTheSame() throws {
        let second = JSONReaderTests.deal.replacingOccurrences(of: "J-1", with: "J-2")
        for text in [
            "[\(JSONReaderTests.deal),\n\(second)]", "{\"deals\": [\(JSONReaderTests.deal), \(second)]}",
            JSONReaderTests.deal.replacingOccurrences(of: "\n", with: " ") + "\n" + second.replacingOccurrences(of: "\n", with: " ") + "\n",
        ] {
            let deals = try read(text)
            #expect(deals.map { $0.record?.dealNumber } == ["J-1", "J-2"])
            #expect(deals[0].record?.sellingPrice == Money(cents: 3_125_010), "numbers keep their exact text")
            #expect(deals[0].record?.consent.sms == true)
            #expect(
                deals[0].record?.products == [ProductLine(code: "vsc", outcome: .declined, price: Money(cents: 249_500), reason: "payment")]
            )
        }
    }

    @Test func errorsNameTheLineOfTheDeal() throws {
        let bad = JSONReaderTests.deal.replacingOccurrences(of: "4T1B11HK7RU000001", with: "4T1B11HK7RU00000Z")
        let deals = try read("[\n\(JSONReaderTests.deal),\n\(bad)\n]")
        #expect(deals[1].line == 7)
        #expect(deals[1].errors.first?.field == "vin")
        #expect(throws: JSONDealReader<BytesSource>.Problem.self) { try read("[{\"deal_number\": \"J-1\",}]") }
    }

    /// A deal nested `depth` arrays deep inside one of its fields, on its second line.
    static func nested(_ depth: Int) -> String {
        "[\n{\"deal_number\": " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}]"
    }

    /// Nesting past the limit ends the file with a syntax problem naming the line and the limit, before anything deep is
    /// built: 100,000 levels (which overflowed the stack of the thread the import runs on) are refused like 8.
    @Test func nestingDeeperThanTheLimitIsRefusedWithItsLine() throws {
        #expect(JSONDealReader<BytesSource>.maxDepth == 8)
        for depth in [JSONDealReader<BytesSource>.maxDepth, 5_000, 100_000] {
            let problem = #expect(throws: JSONDealReader<BytesSource>.Problem.self) { try read(Self.nested(depth)) }
            #expect(problem?.isSyntax == true)
            #expect(problem?.description == "line 2: not valid JSON: arrays and objects nested deeper than 8 levels (a deal needs 3)")
        }
        // The deal object and seven levels inside it are read (the field is refused for not being a single value).
        let problem = #expect(throws: JSONDealReader<BytesSource>.Problem.self) {
            try read(Self.nested(JSONDealReader<BytesSource>.maxDepth - 1))
        }
        #expect(problem == .notADeal(line: 2, message: "deal_number must be a single value"))
    }
}

/// The pass over a JSON file's bytes that refuses one nested too deep before anything of it is imported.
@Suite struct JSONNestingTests {
    func scan(_ text: String, limit: Int = 3, chunk: Int = 5) -> Int? {
        var n = JSONNesting(limit: limit)
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let end = min(bytes.count, i + chunk)
            bytes[i..<end].withUnsafeBytes { n.read($0) }
            i = end
        }
        return n.tooDeepAt
    }

    @Test func bracketsInsideStringsAndEscapesDoNotCount() {
        #expect(scan(#"[{"a": "[[[[{{{{", "b": "\"[[[[", "c": [1]}]"#) == nil)
        #expect(scan("[{\"a\": [[1]]}]") == 1)
        #expect(scan("[\n{\"a\":\n[[1]]}]") == 3)
        // Split anywhere (chunks of 1 to 7 bytes): the same answer.
        for chunk in 1...7 { #expect(scan(#"[{"x": "]]]\"]]]"}, {"y": [[[2]]]}]"#, chunk: chunk) == 1) }
    }

    @Test func aDeepFileIsFoundInConstantMemoryWithoutRecursion() throws {
        var source = BytesSource(Array((String(repeating: "[", count: 1_000_000) + String(repeating: "]", count: 1_000_000)).utf8))
        #expect(try JSONNesting.firstTooDeep(&source) == 1)
        var fine = BytesSource(Array(#"{"deals": [{"deal_number": "D-1", "products": [{"code": "vsc"}]}]}"#.utf8))
        #expect(try JSONNesting.firstTooDeep(&fine) == nil)
        #expect(JSONNesting.fileLimit == JSONDealReader<BytesSource>.maxDepth + 2)
    }
}
