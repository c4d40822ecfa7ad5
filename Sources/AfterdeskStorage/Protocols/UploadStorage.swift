import AfterdeskCore
import Foundation

/// Files uploaded through the server (the web page's deal files, the API's bodies) while they are received and
/// imported. Several servers may share one storage, so what decides that an upload was forgotten (its server stopped
/// while receiving it) is how long it has been untouched by the storage's own clock, never a server's: an upload in
/// progress is written to or touched, so it stays fresh.
public protocol UploadStorage: Sendable {
    /// A new, empty temporary upload, readable by its owner alone and never one that existed before: where to write
    /// its body, and its reference (whose `path` the importer opens).
    func createUpload(_ origin: UploadOrigin) async throws -> NewUpload
    /// Gives a received temporary upload its lasting name (a web import's `12-deals.csv`), which a sweep never takes:
    /// the upload under its new name.
    func keepUpload(_ upload: Upload, as name: String) async throws -> Upload
    /// Removes an upload (one already gone is not an error).
    func removeUpload(_ upload: Upload) async throws
    /// Marks an upload as in use now, so no sweep takes it (an import reading it touches it now and then).
    func touchUpload(_ upload: Upload) async throws
    /// Removes the temporary uploads untouched for `age` or longer (judged by the storage's clock, not the caller's):
    /// their names.
    @discardableResult
    func sweepUploads(olderThan age: Duration) async throws -> [String]
}

extension UploadStorage {
    /// Touches `upload` every `every` until the task is cancelled: an import reading it keeps it from every sweep.
    public func keepFresh(_ upload: Upload, every: Duration) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: every)
                if Task.isCancelled { break }
                try? await touchUpload(upload)
            }
        }
    }
}
