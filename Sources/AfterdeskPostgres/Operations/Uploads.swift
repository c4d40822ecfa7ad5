import AfterdeskCore
import AfterdeskStorage
import Foundation

/// Uploads as files in `uploadsFolder`, the folder every server of the group shares, through `FolderUploadStorage`
/// (the file work SQLite's are done by): a forgotten upload is judged by its file's modification time, by the file
/// system's clock, as on SQLite.
extension PostgresStorage: FolderUploadStorage {
    public var uploadsPath: String { uploadsFolder }
}
