import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskPostgres

/// PostgreSQL's password file as libpq reads it (no server needed), and the order the password is looked for in.
@Suite struct PGPassTests {
    let target = PGPass.Target(host: "db.example.com", port: 5432, database: "afterdesk", user: "desk")

    @Test func theFirstLineThatMatchesWins() {
        let text = """
            # a comment: db.example.com:5432:afterdesk:desk:commented
            other.example.com:5432:afterdesk:desk:wrong-host
            db.example.com:5433:afterdesk:desk:wrong-port
            db.example.com:5432:afterdesk:desk:right
            db.example.com:5432:afterdesk:desk:second
            """
        #expect(PGPass.password(in: text, for: target) == "right")
    }

    @Test func aStarMatchesAnyValue() {
        #expect(PGPass.password(in: "*:*:*:*:any", for: target) == "any")
        #expect(PGPass.password(in: "db.example.com:*:afterdesk:*:some", for: target) == "some")
        #expect(PGPass.password(in: "*:*:reports:*:no", for: target) == nil)
        #expect(PGPass.password(in: "*:*:*:someone:no", for: target) == nil)
    }

    @Test func escapedColonsAndBackslashesAreValues() {
        #expect(PGPass.password(in: "*:*:*:desk:pa\\:ss\\\\word", for: target) == "pa:ss\\word")
        let odd = PGPass.Target(host: "h", port: 5432, database: "a:b", user: "desk")
        #expect(PGPass.password(in: "h:5432:a\\:b:desk:colon", for: odd) == "colon")
        #expect(PGPass.password(in: "h:5432:a:b:desk:colon", for: odd) == nil)
    }

    @Test func aLineWithoutFiveFieldsIsSkipped() {
        #expect(PGPass.password(in: "db.example.com:5432:afterdesk:desk\n*:*:*:*:next", for: target) == "next")
        #expect(PGPass.fields(of: "a:b:c:d:e:f") == ["a", "b", "c", "d", "e:f"])
        #expect(PGPass.fields(of: "a:b:c:d") == nil)
    }

    @Test func theFileIsPGPASSFILEElseInHome() {
        #expect(PGPass.path(environment: ["PGPASSFILE": "/etc/x", "HOME": "/home/a"]) == "/etc/x")
        #expect(PGPass.path(environment: ["HOME": "/home/a"]) == "/home/a/.pgpass")
        #expect(PGPass.path(environment: [:]) == nil)
    }

    @Test func aFileOthersMayReadIsIgnored() throws {
        let path = NSTemporaryDirectory() + "pgpass-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "*:*:*:*:from-file\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        var warnings: [String] = []
        #expect(PGPass.password(for: target, environment: ["PGPASSFILE": path], warn: { warnings.append($0) }) == nil)
        // Said, as psql says it, with the file's name and never its content.
        #expect(warnings == ["warning: the password file \(path) may be read by others, so it is not used: chmod 600 \(path)"])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        #expect(PGPass.password(for: target, environment: ["PGPASSFILE": path]) == "from-file")
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: path)
        #expect(PGPass.password(for: target, environment: ["PGPASSFILE": path]) == "from-file")
    }

    /// A password file kept elsewhere and linked from the home folder is followed, as libpq follows it; the mode
    /// checked is the file's own.
    @Test func aSymbolicLinkToThePasswordFileIsFollowed() throws {
        let folder = NSTemporaryDirectory() + "pgpass-link-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/real"
        let link = folder + "/.pgpass"
        try "*:*:*:*:through-the-link\n".write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file)
        #expect(PGPass.password(for: target, environment: ["PGPASSFILE": link], warn: { _ in }) == "through-the-link")
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file)
        #expect(PGPass.password(for: target, environment: ["PGPASSFILE": link], warn: { _ in }) == nil)
    }

    @Test func thePasswordIsLookedForInOrder() throws {
        let dir = NSTemporaryDirectory() + "pgpass-order-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let passfile = dir + "/pgpass"
        try "*:*:*:*:pgpass\n".write(toFile: passfile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passfile)
        let own = dir + "/password"
        try "own-file\nsecond line\n".write(toFile: own, atomically: true, encoding: .utf8)
        var environment = [
            "AFTERDESK_DB_PASSWORD": "own", "AFTERDESK_DB_PASSWORD_FILE": own, "PGPASSWORD": "pg", "PGPASSFILE": passfile,
        ]
        var seen: [String?] = []
        for key in ["AFTERDESK_DB_PASSWORD", "AFTERDESK_DB_PASSWORD_FILE", "PGPASSWORD", "PGPASSFILE"] {
            seen.append(try PostgresLocation.password(for: target, environment: environment))
            environment[key] = nil
        }
        seen.append(try PostgresLocation.password(for: target, environment: environment))
        #expect(seen == ["own", "own-file", "pg", "pgpass", nil])
    }

    @Test func theLocationsConfigurationTakesThePasswordFileForItsTarget() throws {
        let path = NSTemporaryDirectory() + "pgpass-conf-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "db.example.com:5432:reports:desk:reports\ndb.example.com:5432:afterdesk:desk:mine\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let c = try PostgresLocation.configuration("postgres://desk@db.example.com/afterdesk", environment: ["PGPASSFILE": path])
        #expect(c.password == "mine")
        // No database in the location: libpq's default, the user's name.
        let byUser = try PostgresLocation.configuration("postgres://desk@db.example.com", environment: ["PGPASSFILE": path])
        #expect(byUser.password == nil)
    }
}
