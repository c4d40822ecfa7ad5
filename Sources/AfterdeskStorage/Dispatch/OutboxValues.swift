import AfterdeskCore
import Foundation

/// A message in the outbox.
public struct OutboxMessage: Sendable, Equatable, Codable {
    public var id: Int64
    public var idempotencyKey: String
    public var channel: String
    public var recipient: String
    public var subject: String?
    public var body: String
    public var html: String?
    public var headers: String?
    public var status: String
    public var attempts: Int
    public var lastError: String?
    public var providerID: String?
    public var createdAt: String
    public var sentAt: String?
    public var customerID: Int64?
    public var taskID: Int64?

    public init(
        id: Int64, idempotencyKey: String, channel: String, recipient: String, subject: String? = nil, body: String, html: String? = nil,
        headers: String? = nil, status: String, attempts: Int, lastError: String? = nil, providerID: String? = nil, createdAt: String,
        sentAt: String? = nil, customerID: Int64? = nil, taskID: Int64? = nil
    ) {
        self.id = id
        self.idempotencyKey = idempotencyKey
        self.channel = channel
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.html = html
        self.headers = headers
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.providerID = providerID
        self.createdAt = createdAt
        self.sentAt = sentAt
        self.customerID = customerID
        self.taskID = taskID
    }
}

/// How one send attempt ended.
public enum SendResult: Sendable, Equatable {
    case sent(providerID: String?)
    /// Failed; retry at `retryAt`, or never (`nil`: a dead letter).
    case failed(error: String, retryAt: Date?)
}
