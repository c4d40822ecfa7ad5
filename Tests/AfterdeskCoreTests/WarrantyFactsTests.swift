import AfterdeskCore
import Testing

/// `menus/warranties.yaml`: model-year ranges, the makes a US store meets, and where each fact comes from.
@Suite struct WarrantyFactsTests {
    let table = try! MenuLoader.loadWarranties(yaml: DefaultMenus.warrantiesYAML, file: "warranties.yaml")

    func load(_ makes: String) throws(MenuErrors) -> WarrantyTable {
        let text = "version: 1\ndefault:\n  basic: { years: 3, miles: 36000 }\n  powertrain: { years: 5, miles: 60000 }\nmakes:\n" + makes
        return try MenuLoader.loadWarranties(yaml: text, file: "w.yaml")
    }

    func issues(_ makes: String) -> [MenuIssue] {
        do {
            _ = try load(makes)
            return []
        } catch { return error.issues }
    }

    @Test func volkswagenChangedItsWarrantyBetweenModelYears2019And2020() {
        #expect(table.terms(forMake: "Volkswagen", modelYear: 2019).basic == .init(years: 6, miles: 72_000))
        #expect(table.terms(forMake: "VW", modelYear: 2018).basic == .init(years: 6, miles: 72_000))
        #expect(table.terms(forMake: "volkswagen", modelYear: 2020).basic == .init(years: 4, miles: 50_000))
        #expect(table.terms(forMake: "Volkswagen", modelYear: 2027).basic == .init(years: 4, miles: 50_000))
        #expect(table.terms(forMake: "Volkswagen", modelYear: 2017).basic == .init(years: 3, miles: 36_000))
        #expect(table.terms(forMake: "Volkswagen", modelYear: 2004).basic == .init(years: 3, miles: 36_000))
        #expect(table.terms(forMake: "Volkswagen", modelYear: Int.min).basic == .init(years: 3, miles: 36_000))
        #expect(table.terms(forMake: "Volkswagen", modelYear: Int.max).basic == .init(years: 4, miles: 50_000))
        // A caller without the year gets the newest entry.
        #expect(table.terms(forMake: "VW") == table.terms(forMake: "Volkswagen", modelYear: 2020))
        #expect(table.terms(forMake: "Volkswagen", modelYear: 2020).freeMaintenance?.coverage.years == 2)
        #expect(table.terms(forMake: "Volkswagen", modelYear: 2019).freeMaintenance == nil)
    }

    @Test func anUnlistedMakeGets3Years36000MilesBasic() {
        for year in [1995, 2026] {
            #expect(table.terms(forMake: "Zastava", modelYear: year) == table.defaultTerms)
        }
        #expect(table.terms(forMake: "Zastava").basic == .init(years: 3, miles: 36_000))
        #expect(table.defaultTerms.basic == .init(years: 3, miles: 36_000))
    }

    @Test func theMakesAUSStoreMeetsAreListed() {
        let mini = table.terms(forMake: "Mini", modelYear: 2025)
        #expect(mini.basic == .init(years: 4, miles: 50_000) && mini.powertrain == .init(years: 4, miles: 50_000))
        #expect(mini.freeMaintenance?.coverage == .init(years: 3, miles: 36_000) && mini.provenance.isVerified)
        for make in ["Alfa Romeo", "Fiat", "Polestar", "Rivian", "Lucid", "Maserati", "Jaguar", "Genesis", "Tesla"] {
            #expect(table.terms(forMake: make) != table.defaultTerms, "\(make) is listed")
        }
        #expect(
            table.terms(forMake: "Toyota").freeMaintenance
                == .init(
                    name: "ToyotaCare", coverage: .init(years: 2, miles: 25_000),
                    provenance: .init(
                        sources: ["http://touch.toyota.com/toyota-care/faq.html"], checked: LocalDate(year: 2026, month: 12, day: 4))))
        #expect(table.terms(forMake: "Jaguar").freeMaintenance?.coverage == .init(years: 5, miles: 60_000))
    }

    /// Every fact of the shipped file has a researched source and the day it was read, or says it is unverified; a
    /// source outside the researched facts fails here.
    @Test func everyShippedFactSaysWhereItComesFrom() {
        let researched: Set<String> = [
            "https://mullinaxfordfl.com/faq", "https://www.planethyundai.com/hyundai-warranty-faq/",
            "http://www.thecarconnection.com/news/1113022_volkswagen-rolls-out-6-year-72000-mile-warranty",
            "https://hagerty.com/media/news/vw-slashes-six-year-warranty-for-2020-model-year",
            "https://www.thedrive.com/car-warranty/34244/mini-cooper-warranty", "http://touch.toyota.com/toyota-care/faq.html",
            "https://www.jaguarusa.com/owners/service-warranties/limited-warranty.html",
            "https://tesla.com/en_th/support/vehicle-warranty",
        ]
        #expect(table.warnings.isEmpty)
        var provenances: [WarrantyTable.Provenance] = []
        for entry in table.entries.values.flatMap({ $0 }) {
            provenances.append(entry.terms.provenance)
            provenances += [entry.terms.certified?.provenance, entry.terms.freeMaintenance?.provenance].compactMap { $0 }
        }
        #expect(provenances.count > 40)
        for p in provenances {
            #expect(p.unverified || (!p.sources.isEmpty && p.checked != nil))
            #expect(p.sources.allSatisfy(researched.contains), "\(p.sources)")
        }
        #expect(provenances.filter(\.isVerified).count >= 5)
    }

    @Test func aYearBetweenRangesGetsTheClosestTheNewerOnATie() throws {
        let t = try load(
            """
              Acme:
                - { model_years: "2010-2012", basic: { years: 1, miles: 12000 }, powertrain: { years: 1, miles: 12000 }, unverified: true }
                - { model_years: "2016-", basic: { years: 2, miles: 24000 }, powertrain: { years: 2, miles: 24000 }, unverified: true }
                - { model_years: "2015", basic: { years: 9, miles: 90000 }, powertrain: { years: 9, miles: 90000 }, unverified: true }

            """)
        #expect(t.terms(forMake: "ACME", modelYear: 2009).basic.years == 1)
        #expect(t.terms(forMake: "ACME", modelYear: 2012).basic.years == 1)
        #expect(t.terms(forMake: "ACME", modelYear: 2013).basic.years == 1)
        #expect(t.terms(forMake: "ACME", modelYear: 2014).basic.years == 9, "a tie: the newer range")
        #expect(t.terms(forMake: "ACME", modelYear: 2015).basic.years == 9)
        #expect(t.terms(forMake: "ACME", modelYear: 2016).basic.years == 2)
        #expect(t.terms(forMake: "ACME").basic.years == 2)
        #expect(t.entries["ACME"]?.map(\.modelYears.description) == ["2010-2012", "2015", "2016-"])
    }

    /// The single-mapping form of the previous release still loads, for every model year, with a warning per make.
    @Test func aFileWithoutModelYearsOrSourcesStillLoads() throws {
        let t = try load("  Acme: { basic: { years: 4, miles: 50000 }, powertrain: { years: 6, miles: 70000 } }\n")
        #expect(t.terms(forMake: "acme", modelYear: 1990).basic == .init(years: 4, miles: 50_000))
        #expect(t.terms(forMake: "acme", modelYear: 2030).powertrain == .init(years: 6, miles: 70_000))
        #expect(t.warnings.map(\.description) == ["w.yaml:6: makes.Acme: no source: add source: and checked:, or unverified: true"])
    }

    @Test func badRangesAndOverlapsAreErrorsWithTheirLine() {
        let entry = "basic: { years: 4, miles: 50000 }, powertrain: { years: 4, miles: 50000 }, unverified: true"
        let overlap = issues("  Acme:\n    - { model_years: \"2018-2020\", \(entry) }\n    - { model_years: \"2020-\", \(entry) }\n")
        #expect(overlap.map(\.description) == ["w.yaml:8: makes.Acme.model_years: model years 2020- overlap 2018-2020 at line 7"])
        let open = issues("  Acme:\n    - { \(entry) }\n    - { model_years: \"-2017\", \(entry) }\n")
        #expect(open.count == 1 && open[0].message.contains("overlap"))
        let backwards = issues("  Acme: { model_years: \"2020-2018\", \(entry) }\n")
        #expect(backwards.map(\.description) == ["w.yaml:6: makes.Acme.model_years: the range 2020-2018 ends before it starts"])
        for bad in ["20x9", "-", "1900-1910", "2018-2019-2020"] {
            let found = issues("  Acme: { model_years: \"\(bad)\", \(entry) }\n")
            #expect(found.count == 1 && found[0].field == "makes.Acme.model_years" && found[0].line == 6, "\(bad)")
        }
    }

    @Test func sourcesAreWebAddressesWithTheDayTheyWereRead() throws {
        let coverage = "basic: { years: 4, miles: 50000 }, powertrain: { years: 4, miles: 50000 }"
        let noDay = try load("  Acme: { \(coverage), source: https://example.com/a }\n")
        #expect(noDay.warnings.map(\.message) == ["source without checked: (the day it was read)"])
        let partly = try load("  Acme: { \(coverage), source: https://example.com/a, checked: 2026-12-04, unverified: [powertrain] }\n")
        #expect(partly.warnings.isEmpty && !partly.terms(forMake: "Acme").provenance.isVerified)
        #expect(partly.terms(forMake: "Acme").provenance.unverifiedParts == ["powertrain"])
        let found = issues("  Acme: { \(coverage), source: my uncle, checked: yesterday, unverified: [paint] }\n")
        #expect(Set(found.map(\.field)) == ["makes.Acme.source", "makes.Acme.checked", "makes.Acme.unverified"])
        let cpo = try load("  Acme: { \(coverage), unverified: true, cpo: { powertrain: { years: 7, miles: 100000 } } }\n")
        #expect(cpo.warnings.map(\.field) == ["makes.Acme.cpo"])
        #expect(!issues("  Acme: { \(coverage), unverified: true, cpo: { source: https://example.com/a } }\n").isEmpty)
    }
}
