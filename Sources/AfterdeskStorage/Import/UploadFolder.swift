import AfterdeskCore
import Foundation

/// The file work of `UploadStorage` for a backend that keeps uploads in a folder of local files (SQLite beside its
/// database, PostgreSQL in the folder its servers share): the folder its owner alone may enter (0700), each file
/// readable by its owner alone (0600). A temporary file (`upload-*.part`, `api-*`) untouched for the sweep's age is an
/// upload that ended without cleaning up (a process killed): removed. Several servers may share the folder, so what
/// decides is the file's modification time, by the file system's clock, never the storage's (`AFTERDESK_NOW`, a test
/// clock): an upload in progress keeps it fresh.
public enum UploadFolder {
    /// The folder's name where a backend puts it beside its data.
    public static let name = "afterdesk-uploads"

    /// A new, empty temporary upload in `folder` (created 0700 if needed), under a name never used before.
    public static func createUpload(_ origin: UploadOrigin, in folder: String) throws -> NewUpload {
        let folder = try prepare(folder)
        let name =
            switch origin {
            case .webForm: "upload-\(UUID().uuidString).part"
            case .api(let ext): "api-\(UUID().uuidString).\(ext.filter { $0.isLetter || $0.isNumber })"
            }
        let path = (folder as NSString).appendingPathComponent(name)
        return NewUpload(upload: Upload(name: name, path: path), body: try create(path))
    }

    /// Moves `upload` to its lasting `name` in `folder`: the upload under that name.
    public static func keep(_ upload: Upload, as name: String, in folder: String) throws -> Upload {
        guard isLasting(name) else { throw StoreError("an upload's name is a plain file name: \(name)") }
        let path = (folder as NSString).appendingPathComponent(name)
        do { try FileManager.default.moveItem(atPath: upload.path, toPath: path) } catch {
            throw StoreError.io("cannot keep the upload")
        }
        return Upload(name: name, path: path)
    }

    /// Removes `upload`'s file (one already gone is not an error).
    public static func remove(_ upload: Upload) throws {
        guard FileManager.default.fileExists(atPath: upload.path) else { return }
        do { try FileManager.default.removeItem(atPath: upload.path) } catch { throw StoreError.io("cannot remove the upload") }
    }

    /// Sets `upload`'s modification time to now, the file system's time.
    public static func touch(_ upload: Upload) throws {
        do { try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: upload.path) } catch {
            throw StoreError.io("cannot touch the upload")
        }
    }

    /// The folder, created (or closed to others) 0700: its path.
    public static func prepare(_ folder: String) throws -> String {
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder)
        } catch {
            throw StoreError.io("cannot prepare the upload folder")
        }
        return folder
    }

    /// A new file, 0600 from its creation (never there before).
    public static func create(_ path: String) throws -> FileHandle {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.io("cannot write the upload") }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    public static func isTemporary(_ name: String) -> Bool {
        (name.hasPrefix("upload-") && name.hasSuffix(".part")) || name.hasPrefix("api-")
    }

    /// A name an upload may be kept under: one file of the folder, never a temporary one (a sweep would take it).
    public static func isLasting(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && !name.hasPrefix(".") && !name.contains("\0") && !isTemporary(name)
    }

    /// Removes the temporary files of `folder` not modified for `age` (by `now`, the file system's time, not the
    /// command's clock); returns their names. A folder not there yet holds nothing to remove.
    @discardableResult
    public static func sweep(_ folder: String, olderThan age: Duration, now: Date = Date()) -> [String] {
        let limit = now.addingTimeInterval(-Double(age.components.seconds))
        var removed: [String] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where isTemporary(name) {
            let file = (folder as NSString).appendingPathComponent(name)
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date,
                modified < limit
            else { continue }
            if (try? FileManager.default.removeItem(atPath: file)) != nil { removed.append(name) }
        }
        return removed
    }
}

/// A storage whose uploads are files in one folder (`UploadFolder` does the file work): every requirement of
/// `UploadStorage`, written once for the backends that keep them so. A forgotten upload is judged by its file's
/// modification time, by the file system's clock.
public protocol FolderUploadStorage: UploadStorage {
    /// The folder the uploads are in.
    var uploadsPath: String { get }
}

extension FolderUploadStorage {
    public func createUpload(_ origin: UploadOrigin) async throws -> NewUpload {
        try UploadFolder.createUpload(origin, in: uploadsPath)
    }

    public func keepUpload(_ upload: Upload, as name: String) async throws -> Upload {
        try UploadFolder.keep(upload, as: name, in: uploadsPath)
    }

    public func removeUpload(_ upload: Upload) async throws {
        try UploadFolder.remove(upload)
    }

    public func touchUpload(_ upload: Upload) async throws {
        try UploadFolder.touch(upload)
    }

    @discardableResult
    public func sweepUploads(olderThan age: Duration) async throws -> [String] {
        UploadFolder.sweep(uploadsPath, olderThan: age)
    }
}
