import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AfterdeskPostgres
@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// Upload files (issue 23, item 11): 0600 in a 0700 folder, and a forgotten temporary file removed by its age, never
/// one of an upload in progress.
@Suite(.serialized, .talliedByBackend) struct UploadFilesTests {
    static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
    }

    static func age(_ path: String, _ seconds: TimeInterval) throws {
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-seconds)], ofItemAtPath: path)
    }

    @Test(arguments: TestBackend.all) func anUploadItsRejectsAndTheFolderAreTheOwnersAlone(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        // A folder made open by someone else is closed again.
        let folder = f.s.uploadFolder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            try await b.openImports(client)
            let r = try await b.upload(client, "deals.csv", WebImportTests.file)
            #expect(r.status == .seeOther)
            let location = try #require(r.headers[.location])
            try await b.waitForImport(client, location, status: "done")
        }
        #expect(Self.mode(folder) == 0o700)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(files == ["1-deals.csv", "1-deals.rejects.csv"])
        for file in files { #expect(Self.mode((folder as NSString).appendingPathComponent(file)) == 0o600, "\(file)") }
    }

    @Test func aNewUploadFileIsCreated0600AndNeverReused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uploads-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = (dir as NSString).appendingPathComponent("api-1.csv")
        try UploadFolder.create(path).close()
        #expect(Self.mode(path) == 0o600)
        #expect(throws: (any Error).self) { try UploadFolder.create(path) }
    }

    @Test func forgottenTemporaryFilesGoByTheirAgeAndNothingElse() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uploads-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["upload-old.part", "api-old.json", "upload-new.part", "api-new.csv", "3-deals.csv", "3-deals.rejects.csv"] {
            try Data("x".utf8).write(to: URL(fileURLWithPath: (dir as NSString).appendingPathComponent(name)))
        }
        for name in ["upload-old.part", "api-old.json", "3-deals.csv", "3-deals.rejects.csv"] {
            try Self.age((dir as NSString).appendingPathComponent(name), 3_700)
        }
        // Written 59 minutes ago: an upload another server may still be receiving.
        try Self.age((dir as NSString).appendingPathComponent("upload-new.part"), 3_540)
        let removed = UploadFolder.sweep(dir, olderThan: ServerTimeouts().upload)
        #expect(removed.sorted() == ["api-old.json", "upload-old.part"])
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == [
                "3-deals.csv", "3-deals.rejects.csv", "api-new.csv", "upload-new.part",
            ])
    }

    @Test(arguments: TestBackend.all) func anUploadBeingImportedKeepsItsFileFresh(backend: TestBackend) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uploads-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try await backend.make(clock: .live, directory: dir)
        let created = try await db.createUpload(.api(fileExtension: "csv"))
        try created.body.close()
        let path = created.upload.path
        try Self.age(path, 3_700)
        var t = ServerTimeouts()
        t.upload = .milliseconds(400)
        let fresh = db.keepFresh(created.upload, every: t.uploadTouch)
        defer { fresh.cancel() }
        // Touched within a few of its 100 ms periods (a loaded machine may be slow to run it).
        for _ in 0..<100 {
            let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
            if let modified, modified > Date().addingTimeInterval(-60) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await db.sweepUploads(olderThan: .seconds(60)).isEmpty)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    /// The sweep judges files by the file system's clock: a server whose own clock runs ahead (`AFTERDESK_NOW`, a test
    /// clock) must not take another upload's fresh file for a forgotten one.
    @Test(arguments: TestBackend.all) func aWebUploadNeverSweepsAFreshFileWhateverTheServersClock(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        f.clock.advance(3 * 365 * 86_400)
        let folder = f.s.uploadFolder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let other = (folder as NSString).appendingPathComponent("upload-in-progress.part")
        try Data("x".utf8).write(to: URL(fileURLWithPath: other))
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            try await b.openImports(client)
            let r = try await b.upload(client, "deals.csv", WebImportTests.file)
            #expect(r.status == .seeOther)
        }
        #expect(FileManager.default.fileExists(atPath: other))
    }

    /// An upload whose file cannot be kept under its import's number (a file of that name is there already): its
    /// import is marked failed, not left queued forever, and its temporary file is removed.
    @Test(arguments: TestBackend.all) func anUploadThatCannotBeKeptFailsItsImport(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        let folder = f.s.uploadFolder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("someone else's".utf8).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("1-deals.csv")))
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            try await b.openImports(client)
            let r = try await b.upload(client, "deals.csv", WebImportTests.file)
            #expect(r.status != .seeOther)
        }
        #expect(try await f.s.rows("SELECT status FROM web_imports WHERE id = 1").first?["status"] as String? == "failed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["1-deals.csv"])
        #expect(
            FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent("1-deals.csv")) == Data("someone else's".utf8))
    }

    @Test(arguments: TestBackend.all) func anUploadSweepsTheFolderFirst(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let fi = try await APIv1Tests().token(s, "kliu", .fiManager)
        let folder = s.uploadFolder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let left = (folder as NSString).appendingPathComponent("upload-left.part")
        try Data("x".utf8).write(to: URL(fileURLWithPath: left))
        try Self.age(left, 7_200)
        let ctx = ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc("2026-10-02T15:00:00Z")))
        try await Application(router: try buildRouter(ctx)).test(.router) { client in
            let h: HTTPFields = [.authorization: "Bearer \(fi)", .contentType: "text/csv"]
            let r = try await client.execute(
                uri: "/api/v1/deals/import", method: .post, headers: h, body: ByteBuffer(string: WebImportTests.file))
            #expect(r.status == .ok)
        }
        #expect(!FileManager.default.fileExists(atPath: left))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        #expect(try await s.db.sweepUploads(olderThan: s.settings.server.forgottenUpload).isEmpty)
    }
}

extension Scenario {
    /// The folder this storage keeps its uploads in: beside SQLite's file, or the one PostgreSQL was opened with.
    var uploadFolder: String { (db as? PostgresStorage)?.uploadsFolder ?? UploadFolder.path(db.location) }
}
