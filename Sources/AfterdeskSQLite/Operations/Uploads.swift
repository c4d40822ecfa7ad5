import AfterdeskCore
import AfterdeskStorage
import Foundation

/// Uploads as files in `afterdesk-uploads/` beside the database (the system's temporary folder for a database in
/// memory), through `UploadFolder` (its file work, shared with PostgreSQL).
extension AfterdeskDatabase: UploadStorage {
    public func createUpload(_ origin: UploadOrigin) async throws -> NewUpload {
        try UploadFolder.createUpload(origin, in: UploadFolder.path(location))
    }

    public func keepUpload(_ upload: Upload, as name: String) async throws -> Upload {
        try UploadFolder.keep(upload, as: name, in: UploadFolder.path(location))
    }

    public func removeUpload(_ upload: Upload) async throws {
        try UploadFolder.remove(upload)
    }

    public func touchUpload(_ upload: Upload) async throws {
        try UploadFolder.touch(upload)
    }

    @discardableResult
    public func sweepUploads(olderThan age: Duration) async throws -> [String] {
        UploadFolder.sweep(UploadFolder.path(location), olderThan: age)
    }
}

extension UploadFolder {
    /// The folder beside the database at `location` (nil: in memory, the system's temporary folder).
    static func path(_ location: String?) -> String {
        let base = location.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? NSTemporaryDirectory()
        return (base as NSString).appendingPathComponent(name)
    }
}
