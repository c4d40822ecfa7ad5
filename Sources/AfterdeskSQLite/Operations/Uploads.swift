import AfterdeskCore
import AfterdeskStorage
import Foundation

/// Uploads as files in `afterdesk-uploads/` beside the database (the system's temporary folder for a database in
/// memory), through `FolderUploadStorage` (the file work, shared with PostgreSQL).
extension AfterdeskDatabase: FolderUploadStorage {
    public var uploadsPath: String { UploadFolder.path(location) }
}

extension UploadFolder {
    /// The folder beside the database at `location` (nil: in memory, the system's temporary folder).
    static func path(_ location: String?) -> String {
        let base = location.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? NSTemporaryDirectory()
        return (base as NSString).appendingPathComponent(name)
    }
}
