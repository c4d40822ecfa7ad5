import AfterdeskCore
import AfterdeskStorage
import Foundation

// Forwards every requirement to the storage wrapped and notes its key (Checklist).

extension RecordingStorage: UploadStorage {
    func createUpload(_ origin: UploadOrigin) async throws -> NewUpload {
        notes.note("createUpload(_:)")
        return try await base.createUpload(origin)
    }
    func keepUpload(_ upload: Upload, as name: String) async throws -> Upload {
        notes.note("keepUpload(_:as:)")
        return try await base.keepUpload(upload, as: name)
    }
    func removeUpload(_ upload: Upload) async throws {
        notes.note("removeUpload(_:)")
        try await base.removeUpload(upload)
    }
    func touchUpload(_ upload: Upload) async throws {
        notes.note("touchUpload(_:)")
        try await base.touchUpload(upload)
    }
    func sweepUploads(olderThan age: Duration) async throws -> [String] {
        notes.note("sweepUploads(olderThan:)")
        return try await base.sweepUploads(olderThan: age)
    }
}
