import AfterdeskCore
import Foundation

/// A deal file uploaded from the web pages, and where its import stands.
public struct WebImportRow: Sendable, Equatable {
    public var id: Int64
    public var user: String
    public var fileName: String
    public var path: String
    public var profile: String
    public var status: WebImportStatus
    public var rowsRead: Int
    public var summary: String?
    public var error: String?
    public var createdAt: Date
    public var finishedAt: Date?
    /// The stores the upload's rows named, once its import ended; nil before (or for an upload from before v10).
    public var stores: [String]?

    public init(
        id: Int64, user: String, fileName: String, path: String, profile: String, status: WebImportStatus, rowsRead: Int,
        summary: String? = nil, error: String? = nil, createdAt: Date, finishedAt: Date? = nil, stores: [String]? = nil
    ) {
        self.id = id
        self.user = user
        self.fileName = fileName
        self.path = path
        self.profile = profile
        self.status = status
        self.rowsRead = rowsRead
        self.summary = summary
        self.error = error
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.stores = stores
    }
}

/// Where an upload's import stands (`web_imports.status`).
public enum WebImportStatus: String, Sendable, Equatable, CaseIterable, Codable {
    case queued, running, done, failed
}
