import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskSQLite
import AfterdeskServer
import AfterdeskStorage
import AfterdeskTestSupport
import AfterdeskWorkflows
import Foundation
import Testing

@Suite(.talliedByBackend) struct MenuFilesTests {
    @Test(arguments: TestBackend.all) func theMenuInForceIsStoredWithTheDatabase(backend: TestBackend) async throws {
        // Setup: a database and a menu file naming another store.
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try await backend.make(clock: .fixed(Date(timeIntervalSince1970: 1_795_440_000)), directory: dir)
        let file = dir.appendingPathComponent("menu.yaml").path
        try DefaultMenus.menuYAML.replacingOccurrences(of: "Lakeside Motors", with: "Hill Country Ford")
            .write(toFile: file, atomically: true, encoding: .utf8)

        // Action and check: --menu is in force, and stored.
        #expect(try await MenuFiles.resolve(path: file, database: db).menu.dealership.name == "Hill Country Ford")
        #expect(try await db.storedMenu().menu?.contains("Hill Country Ford") == true)
        // Later commands without --menu and away from menus/ use the stored one.
        #expect(
            try await MenuFiles.resolve(path: nil, database: db, workingDirectory: dir.path).menu.dealership.name == "Hill Country Ford")
        #expect(try await MenuFiles.resolve(path: nil, database: nil, workingDirectory: dir.path).source == "(built-in default menu)")
        // In a folder with menus/default.yaml, that file is in force.
        try FileManager.default.createDirectory(atPath: dir.appendingPathComponent("menus").path, withIntermediateDirectories: true)
        try DefaultMenus.menuYAML.replacingOccurrences(of: "Lakeside Motors", with: "Round Rock Kia")
            .write(toFile: dir.appendingPathComponent("menus/default.yaml").path, atomically: true, encoding: .utf8)
        #expect(try await MenuFiles.resolve(path: nil, database: db, workingDirectory: dir.path).menu.dealership.name == "Round Rock Kia")
    }

    @Test func anUnreadableMenuFileIsAnErrorNamingTheFile() async throws {
        let missing = temporaryDirectory().appendingPathComponent("nope.yaml").path
        await #expect { try await MenuFiles.resolve(path: missing, database: nil) } throws: { error in
            "\(error)".contains("nope.yaml") && "\(error)".contains("cannot read the file")
        }
    }
}
