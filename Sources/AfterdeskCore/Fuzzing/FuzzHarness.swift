import Foundation

/// What the fuzz targets run (Fuzz/, scripts/fuzz.sh), and what the tests replay every input the fuzzer ever found a
/// crash with (Tests/AfterdeskCoreTests/FuzzRegressions): untrusted bytes in, nothing may trap. Each function also
/// goes past reading into the rules (a decoded deal is planned), because a value that passes validation must not trap
/// further on either.
public enum FuzzHarness {
    public enum Target: String, CaseIterable, Sendable {
        case csv
        case decodeCanonical = "decode-canonical"
        case decodeCDK = "decode-cdk"
        case decodeDealerVault = "decode-dealervault"
        case json
        case menu
    }

    /// Runs one input through `target`; returns how far it got (rows read, deals planned, menus loaded), so the tests
    /// can tell a harness that reaches the rules from one that stops at the door.
    @discardableResult
    public static func run(_ target: Target, _ bytes: [UInt8]) -> Int {
        switch target {
        case .csv: return csv(bytes)
        case .decodeCanonical: return decode(bytes, profile: .canonical)
        case .decodeCDK: return decode(bytes, profile: .cdk)
        case .decodeDealerVault: return decode(bytes, profile: .dealervault)
        case .json: return json(bytes)
        case .menu: return menu(bytes)
        }
    }

    /// The CSV reader, with small chunks and limits so buffer boundaries and long fields are reached.
    static func csv(_ bytes: [UInt8]) -> Int {
        let reader = CSVReader(source: BytesSource(bytes), chunkSize: 7, maxRowBytes: 512, maxFieldBytes: 128)
        var rows = 0
        while rows < 10_000 {
            do {
                guard try reader.nextRow() else { break }
                for i in 0..<reader.fieldCount { _ = reader.string(i) }
                _ = reader.field(-1)
                _ = reader.field(reader.fieldCount)
            } catch {}
            rows += 1
        }
        return rows
    }

    static let menuInForce: Menu? = try? MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml")
    static let warranties: WarrantyTable? = try? MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")
    static let today = LocalDate(year: 2026, month: 11, day: 22) ?? .first
    static let now = Date(timeIntervalSince1970: 1_795_440_000)

    /// A header every profile's decoder accepts: its own column names, from which the fuzzer writes rows.
    public static func header(for profile: ImportProfile) -> [String] {
        switch profile.name {
        // The column names of the real exports (Tests/AfterdeskSQLiteTests/Fixtures, ../shared/reference/dms-columns.md).
        case "cdk":
            return
                "HostItemID,DealNo,FiWipStatusCode,ContractDate,DealType,SaleType,Name,Email1,HomePhone,BusinessPhone,State,ZipOrPostalCode,VIN,Year,MakeName,ModelName,VehicleMileage,CashPrice,FinanceAmt,APR,Term,FirstPayDate,FinanceSource,Salesperson1,CRMSP1Name,FIMgr1,CRMFIMgrName,MBIName,MBIFee,MBICost,Insurance1Name,Ins1Fee,Ins1Cost,Insurance2Name,Ins2Fee,Ins2Cost,Insurance3Name,Ins3Fee,Ins3Cost,FeeOption1Name,FeeOption1Amount,FeeOption1Cost,FeeOption2Name,FeeOption2Amount,FeeOption2Cost,FeeOption3Name,FeeOption3Amount,FeeOption3Cost,StockNo"
                .split(separator: ",").map(String.init)
        case "dealervault":
            return
                "DV Dealer ID,Deal Number,Deal Status,Contract Date,Delivery Date,Deal Type,New/Used,First Name,Last Name,Email 1,Cell Phone,Home Phone,State,Zip,Customer Number,Block Email,Block Phone,VIN,Year,Make,Model,Delivery Mileage,In Service Date,Sales Price,Amount Financed,APR,Term,First Pay Date,Bank Name,Salesman 1 Number,Salesman 1 Name,Finance Manager Number,Finance Manager Name,Warranty 1 Name,Warranty 1 Sale,Warranty 1 Cost,Guaranteed Auto Protection Name,Guaranteed Auto Protection Sale,Guaranteed Auto Protection Cost,Fee/Aftermarket 1 Name,Fee/Aftermarket 1 Sale,Fee/Aftermarket 1 Cost,Fee/Aftermarket 2 Name,Fee/Aftermarket 2 Sale,Fee/Aftermarket 2 Cost,MSRP"
                .split(separator: ",").map(String.init)
        default:
            return
                "deal_number,store,status,contract_date,delivery_date,deal_type,buyer_first_name,buyer_last_name,buyer_email,buyer_phone,buyer_state,buyer_zip,consent_sms,consent_email,consent_phone,vin,vehicle_year,vehicle_make,vehicle_model,vehicle_condition,odometer,in_service_date,selling_price,vehicle_value,amount_financed,apr,term_months,first_payment_date,lender,salesperson_id,salesperson_name,fi_manager_id,fi_manager_name,vsc_outcome,vsc_price,vsc_cost,vsc_reason,gap_outcome,gap_price,gap_cost,gap_reason,tire_wheel_outcome,tire_wheel_price,tire_wheel_cost,tire_wheel_reason,appearance_outcome,appearance_price,appearance_cost,appearance_reason,maintenance_outcome,maintenance_price,maintenance_cost,maintenance_reason,trade_in_vin"
                .split(separator: ",").map(String.init)
        }
    }

    /// Rows of a profile under its header: decoded, and each deal that decodes is planned.
    static func decode(_ bytes: [UInt8], profile: ImportProfile) -> Int {
        guard let menu = menuInForce, let warranties,
            let layout = try? ImportLayout(header: header(for: profile), profile: profile, menu: menu)
        else { return -1 }
        let decoder = DealRowDecoder(layout: layout, menu: menu, today: today)
        let reader = CSVReader(source: BytesSource(bytes), chunkSize: 64, maxRowBytes: 4096, maxFieldBytes: 1024)
        var rows = 0
        var planned = 0
        while rows < 1_000 {
            rows += 1
            do { guard try reader.nextRow() else { break } } catch { continue }
            if plan(decoder, reader, menu: menu, warranties: warranties) { planned += 1 }
        }
        return planned
    }

    @discardableResult
    static func plan<R: RowFields>(_ decoder: DealRowDecoder, _ row: R, menu: Menu, warranties: WarrantyTable) -> Bool {
        var errors: [RowError] = []
        var warnings: [RowError] = []
        guard let deal = decoder.decode(row, errors: &errors, warnings: &warnings) else { return false }
        let declines = deal.products.filter { $0.outcome == .declined }.map {
            DeclineFacts(store: deal.store, dealNumber: deal.dealNumber, product: $0, deal: deal)
        }
        let plan = Planner.make(menu: menu, warranties: warranties).plan(
            declines: declines,
            permissions: ContactPermissions(sms: deal.consent.sms, email: deal.consent.email, phone: deal.consent.phone), now: now)
        for p in plan.products { _ = p.gap?.schedule.count }
        _ = deal.fingerprint
        _ = deal.customerMatchKey
        return true
    }

    /// The JSON deal reader: each deal it reads is decoded and planned.
    static func json(_ bytes: [UInt8]) -> Int {
        guard let menu = menuInForce, let warranties else { return -1 }
        let reader = JSONDealReader(source: BytesSource(bytes), menu: menu)
        guard let layout = try? ImportLayout(header: reader.header, profile: .canonical, menu: menu) else { return -1 }
        let decoder = DealRowDecoder(layout: layout, menu: menu, today: today)
        var deals = 0
        var planned = 0
        while deals < 1_000 {
            deals += 1
            do {
                guard try reader.nextDeal() else { break }
            } catch let problem {
                if problem.isSyntax { break } else { continue }
            }
            if plan(decoder, reader.row, menu: menu, warranties: warranties) { planned += 1 }
        }
        return planned
    }

    /// The menu and warranties loaders, on any text.
    static func menu(_ bytes: [UInt8]) -> Int {
        guard let text = String(validating: bytes, as: UTF8.self) else { return -1 }
        var loaded = 0
        if let menu = try? MenuLoader.loadMenu(yaml: text, file: "fuzz.yaml"), let warranties {
            loaded += 1
            // A menu that loads plans a deal without trapping.
            let reader = CSVReader(source: BytesSource(DefaultFuzzInputs.canonicalRow))
            if let layout = try? ImportLayout(header: header(for: .canonical), profile: .canonical, menu: menu),
                (try? reader.nextRow()) == true
            {
                plan(DealRowDecoder(layout: layout, menu: menu, today: today), reader, menu: menu, warranties: warranties)
            }
        }
        if (try? MenuLoader.loadWarranties(yaml: text, file: "warranties.yaml")) != nil { loaded += 1 }
        return loaded
    }
}

enum DefaultFuzzInputs {
    /// The first row of Tests/AfterdeskSQLiteTests/Fixtures/canonical-good-and-bad.csv, under `header(for: .canonical)`.
    static let canonicalRow =
        Array(
            #"D-10001,main,finalized,2026-06-01,2026-06-01,finance,Maria,Lopez,maria.lopez@example.com,(512) 555-0142,TX,78701,Y,Y,Y,4T1B11HK7RU000001,2026,Toyota,Camry,new,12,,"$31,250.00",29000.00,"34,500.00",6.9,72,2026-07-15,Ally Financial,S101,Dana Whitfield,F201,Karen Liu,declined,2495.00,,payment,declined,895.00,,think,sold,799.00,260.00,,not_offered,,,,declined,649.00,,covered,"#
                .utf8) + [10]
}
