import Foundation

/// Who sends an upload, which names its temporary file: a web form's file, or an API request's body with the
/// extension the importer reads it by (`csv`, `json`).
public enum UploadOrigin: Sendable, Equatable {
    case webForm
    case api(fileExtension: String)
}

/// An upload in a storage: its name there, and the local file the importer opens.
public struct Upload: Sendable, Hashable {
    /// The name in the storage (`upload-<id>.part`, `api-<id>.csv`, `12-deals.csv`).
    public let name: String
    /// The local file holding the upload.
    public let path: String

    public init(name: String, path: String) {
        self.name = name
        self.path = path
    }
}

/// A new upload and where its body is written (closed by the caller once the body is in).
public struct NewUpload: Sendable {
    public let upload: Upload
    public let body: FileHandle

    public init(upload: Upload, body: FileHandle) {
        self.upload = upload
        self.body = body
    }
}
