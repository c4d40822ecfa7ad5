import AfterdeskCore
import AfterdeskStorage
import Foundation

/// Uploads as files in `uploadsFolder`, the folder every server of the group shares, through `UploadFolder` (the
/// file work SQLite's are done by): a forgotten upload is judged by its file's modification time, by the file system's
/// clock, as on SQLite.
extension PostgresStorage {
    public func createUpload(_ origin: UploadOrigin) async throws -> NewUpload {
        try UploadFolder.createUpload(origin, in: uploadsFolder)
    }

    public func keepUpload(_ upload: Upload, as name: String) async throws -> Upload {
        try UploadFolder.keep(upload, as: name, in: uploadsFolder)
    }

    public func removeUpload(_ upload: Upload) async throws {
        try UploadFolder.remove(upload)
    }

    public func touchUpload(_ upload: Upload) async throws {
        try UploadFolder.touch(upload)
    }

    @discardableResult
    public func sweepUploads(olderThan age: Duration) async throws -> [String] {
        UploadFolder.sweep(uploadsFolder, olderThan: age)
    }
}
