import AfterdeskCore
import AfterdeskStorage
import Foundation

extension PostgresStorage {
    public func createUpload(_ origin: UploadOrigin) async throws -> NewUpload {
        throw PostgresStorage.unbuilt(#function)
    }

    public func keepUpload(_ upload: Upload, as name: String) async throws -> Upload {
        throw PostgresStorage.unbuilt(#function)
    }

    public func removeUpload(_ upload: Upload) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    public func touchUpload(_ upload: Upload) async throws {
        throw PostgresStorage.unbuilt(#function)
    }

    @discardableResult public func sweepUploads(olderThan age: Duration) async throws -> [String] {
        throw PostgresStorage.unbuilt(#function)
    }
}
