import AfterdeskCore
import AfterdeskSQLite
import AfterdeskServer
import AfterdeskStorage
import AfterdeskTestSupport
import AfterdeskWorkflows
import Foundation
import Testing

@Suite struct MenuFilesTests {
    @Test func theMenuInForceIsStoredWithTheDatabase() throws {
        // Setup: a database and a menu file naming another store.
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try AfterdeskDatabase(
            path: dir.appendingPathComponent("test.sqlite").path, clock: .fixed(Date(timeIntervalSince1970: 1_795_440_000)))
        let file = dir.appendingPathComponent("menu.yaml").path
        try DefaultMenus.menuYAML.replacingOccurrences(of: "Lakeside Motors", with: "Hill Country Ford")
            .write(toFile: file, atomically: true, encoding: .utf8)

        // Action and check: --menu is in force, and stored.
        #expect(try MenuFiles.resolve(path: file, database: db).menu.dealership.name == "Hill Country Ford")
        #expect(try db.storedMenu().menu?.contains("Hill Country Ford") == true)
        // Later commands without --menu and away from menus/ use the stored one.
        #expect(try MenuFiles.resolve(path: nil, database: db, workingDirectory: dir.path).menu.dealership.name == "Hill Country Ford")
        #expect(try MenuFiles.resolve(path: nil, database: nil, workingDirectory: dir.path).source == "(built-in default menu)")
        // In a folder with menus/default.yaml, that file is in force.
        try FileManager.default.createDirectory(atPath: dir.appendingPathComponent("menus").path, withIntermediateDirectories: true)
        try DefaultMenus.menuYAML.replacingOccurrences(of: "Lakeside Motors", with: "Round Rock Kia")
            .write(toFile: dir.appendingPathComponent("menus/default.yaml").path, atomically: true, encoding: .utf8)
        #expect(try MenuFiles.resolve(path: nil, database: db, workingDirectory: dir.path).menu.dealership.name == "Round Rock Kia")
    }

    @Test func anUnreadableMenuFileIsAnErrorNamingTheFile() throws {
        let missing = temporaryDirectory().appendingPathComponent("nope.yaml").path
        #expect { try MenuFiles.resolve(path: missing, database: nil) } throws: { error in
            "\(error)".contains("nope.yaml") && "\(error)".contains("cannot read the file")
        }
    }
}
