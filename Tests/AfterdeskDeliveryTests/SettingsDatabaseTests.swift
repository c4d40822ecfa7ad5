import AfterdeskDelivery
import Foundation
import Testing

/// Where a command's database is: `--db`, else `AFTERDESK_DB`, else the settings file's `database`, else
/// afterdesk.sqlite; and the settings file's entry, refused with a password in it.
@Suite struct SettingsDatabaseTests {
    struct NotRead: Error {}

    @Test func theOptionWinsAndTheFileIsThenNotRead() throws {
        let location = try Settings.databaseLocation(option: "given.sqlite", environment: ["AFTERDESK_DB": "env.sqlite"]) {
            throw NotRead()
        }
        #expect(location == "given.sqlite")
    }

    @Test func theEnvironmentWinsOverTheFile() throws {
        let location = try Settings.databaseLocation(option: nil, environment: ["AFTERDESK_DB": "env.sqlite"]) { throw NotRead() }
        #expect(location == "env.sqlite")
        // Read with the file, AFTERDESK_DB overrides its entry as every variable overrides its key.
        let s = try Settings.load(yaml: "database: file.sqlite\n", environment: ["AFTERDESK_DB": "env.sqlite"])
        #expect(s.database == "env.sqlite")
    }

    @Test func theFileSaysWhenNothingElseDoes() throws {
        let file = "database: postgres://desk@db.example.com/afterdesk\nuploads_dir: /srv/shared/uploads\n"
        let location = try Settings.databaseLocation(option: nil, environment: ["AFTERDESK_DB": ""]) {
            try Settings.load(yaml: file, environment: [:])
        }
        #expect(location == "postgres://desk@db.example.com/afterdesk")
        #expect(try Settings.load(yaml: file, environment: [:]).uploadsDir == "/srv/shared/uploads")
    }

    @Test func withoutAnyItIsAfterdeskSqliteHere() throws {
        let location = try Settings.databaseLocation(option: nil, environment: [:]) { try Settings.load(yaml: nil, environment: [:]) }
        #expect(location == "afterdesk.sqlite")
    }

    @Test func aPasswordInTheFilesLocationIsRefusedWithoutShowingIt() {
        do {
            _ = try Settings.load(
                yaml: "smtp_user: a\ndatabase: postgres://desk:hunter2@db.example.com/afterdesk\n", file: "s.yaml", environment: [:])
            Issue.record("a location with a password was accepted")
        } catch let e as SettingsError {
            #expect(e.description.hasPrefix("s.yaml:2: database: a PostgreSQL location never holds its password"))
            #expect(!e.description.contains("hunter2"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func thePoolSizeIsReadAndHeldWithinItsBounds() throws {
        #expect(try Settings.load(yaml: nil, environment: [:]).databasePoolSize == 10)
        #expect(try Settings.load(yaml: "database_pool_size: 25\n", environment: [:]).databasePoolSize == 25)
        let fromEnvironment = try Settings.load(yaml: "database_pool_size: 25\n", environment: ["AFTERDESK_DATABASE_POOL_SIZE": "40"])
        #expect(fromEnvironment.databasePoolSize == 40)
        #expect(try Settings.load(yaml: "database_pool_size: 4\n", environment: [:]).databasePoolSize == 4)
        for bad in ["0", "-3", "3", "91", "ten"] {
            #expect(throws: SettingsError.self) { try Settings.load(yaml: "database_pool_size: \(bad)\n", environment: [:]) }
        }
    }
}
