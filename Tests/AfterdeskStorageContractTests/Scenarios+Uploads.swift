import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

/// Uploads: created, written and read back, kept under a lasting name, removed, and swept by their age.
///
/// An upload's `path` is a local file (the importer opens it), so a scenario reads it and ages it there. A backend
/// whose uploads share a folder with other tests (SQLite in memory: the system's temporary folder) may hold other
/// files: the checks name this scenario's uploads only.
extension Scenarios {
    static let uploadsArea: [(name: String, run: Scenario)] = [
        ("uploads: an upload is written, read back, kept under its name and removed", uploadsWrittenKeptRemoved),
        ("uploads: a sweep removes old temporary uploads and leaves fresh, touched and kept ones", uploadsSwept),
    ]

    static func contents(_ upload: Upload) -> String? {
        FileManager.default.contents(atPath: upload.path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// An upload with `text` written to it, its body closed.
    static func upload(_ s: any Storage, _ origin: UploadOrigin, _ text: String) async throws -> Upload {
        let created = try await s.createUpload(origin)
        defer { try? created.body.close() }
        try created.body.write(contentsOf: Data(text.utf8))
        return created.upload
    }

    static func age(_ upload: Upload, by seconds: TimeInterval) throws {
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-seconds)], ofItemAtPath: upload.path)
    }

    @Sendable static func uploadsWrittenKeptRemoved(_ s: any Storage, _ f: Fixture) async throws {
        let api = try await upload(s, .api(fileExtension: "csv"), "deal_number,store\n1,main\n")
        let form = try await upload(s, .webForm, "a deal file")
        #expect(contents(api) == "deal_number,store\n1,main\n")
        #expect(contents(form) == "a deal file")
        #expect(api.name != form.name && api.path != form.path)
        // Kept under a lasting name: the same bytes there, none left under the temporary one.
        let lasting = "7-\(UUID().uuidString).csv"
        let kept = try await s.keepUpload(form, as: lasting)
        #expect(kept.name == lasting)
        #expect(contents(kept) == "a deal file")
        #expect(!FileManager.default.fileExists(atPath: form.path))
        // A name that is not one plain file is refused, and the upload stays where it was.
        for bad in ["../escaped.csv", "", "sub/deals.csv"] {
            await #expect(throws: (any Error).self, "\(bad)") { _ = try await s.keepUpload(api, as: bad) }
        }
        #expect(contents(api) != nil)
        // Removed, and removing again is no error.
        try await s.removeUpload(api)
        try await s.removeUpload(kept)
        #expect(!FileManager.default.fileExists(atPath: api.path) && !FileManager.default.fileExists(atPath: kept.path))
        try await s.removeUpload(api)
    }

    @Sendable static func uploadsSwept(_ s: any Storage, _ f: Fixture) async throws {
        let old = try await upload(s, .api(fileExtension: "json"), "old")
        let oldForm = try await upload(s, .webForm, "old form")
        let fresh = try await upload(s, .webForm, "fresh")
        let touched = try await upload(s, .api(fileExtension: "csv"), "in use")
        let kept = try await s.keepUpload(try await upload(s, .webForm, "kept"), as: "9-\(UUID().uuidString).csv")
        for upload in [old, oldForm, touched, kept] { try age(upload, by: 7_200) }
        // Untouched for 59 minutes: another server may still be receiving it.
        try age(fresh, by: 3_540)
        try await s.touchUpload(touched)
        let removed = Set(try await s.sweepUploads(olderThan: .seconds(3_600)))
        #expect(removed.isSuperset(of: [old.name, oldForm.name]))
        #expect(removed.isDisjoint(with: [fresh.name, touched.name, kept.name]))
        #expect(contents(old) == nil && contents(oldForm) == nil)
        #expect(contents(fresh) == "fresh" && contents(touched) == "in use" && contents(kept) == "kept")
        // A second sweep finds nothing of these left to remove.
        #expect(Set(try await s.sweepUploads(olderThan: .seconds(3_600))).isDisjoint(with: [fresh.name, touched.name, kept.name]))
        for upload in [fresh, touched, kept] { try await s.removeUpload(upload) }
    }
}
