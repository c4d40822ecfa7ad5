import AfterdeskCore
import Foundation

/// A message in the outbox.
public struct OutboxMessage: Sendable, Equatable, Codable {
    public var id: Int64
    public var idempotencyKey: String
    public var channel: OutboxChannel
    public var recipient: String
    public var subject: String?
    public var body: String
    public var html: String?
    public var headers: String?
    public var status: OutboxStatus
    public var attempts: Int
    public var lastError: String?
    public var providerID: String?
    public var createdAt: Date
    public var sentAt: Date?
    public var customerID: Int64?
    public var taskID: Int64?

    public init(
        id: Int64, idempotencyKey: String, channel: OutboxChannel, recipient: String, subject: String? = nil, body: String,
        html: String? = nil, headers: String? = nil, status: OutboxStatus, attempts: Int, lastError: String? = nil,
        providerID: String? = nil, createdAt: Date, sentAt: Date? = nil, customerID: Int64? = nil, taskID: Int64? = nil
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

extension OutboxMessage {
    enum CodingKeys: String, CodingKey {
        case id, idempotencyKey, channel, recipient, subject, body, html, headers, status, attempts, lastError, providerID
        case createdAt, sentAt, customerID, taskID
    }

    /// The instants as the store writes them (`2026-11-22T14:46:05Z`), as the outbox printed them when they were text.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(idempotencyKey, forKey: .idempotencyKey)
        try c.encode(channel, forKey: .channel)
        try c.encode(recipient, forKey: .recipient)
        try c.encodeIfPresent(subject, forKey: .subject)
        try c.encode(body, forKey: .body)
        try c.encodeIfPresent(html, forKey: .html)
        try c.encodeIfPresent(headers, forKey: .headers)
        try c.encode(status, forKey: .status)
        try c.encode(attempts, forKey: .attempts)
        try c.encodeIfPresent(lastError, forKey: .lastError)
        try c.encodeIfPresent(providerID, forKey: .providerID)
        try c.encode(Instant.iso8601(createdAt), forKey: .createdAt)
        try c.encodeIfPresent(sentAt.map(Instant.iso8601), forKey: .sentAt)
        try c.encodeIfPresent(customerID, forKey: .customerID)
        try c.encodeIfPresent(taskID, forKey: .taskID)
    }
}

/// How an outbox message leaves (`outbox.channel`).
public enum OutboxChannel: String, Sendable, Equatable, CaseIterable, Codable {
    case sms, email
    case crmLead = "crm_lead"
    case webhook
}

/// Where an outbox message stands (`outbox.status`).
public enum OutboxStatus: String, Sendable, Equatable, CaseIterable, Codable {
    case queued, sending, sent, delivered, undelivered, dead, cancelled
}

/// The sender a message of a group's store goes out as (its own number or address), kept in the message's headers
/// under `X-Afterdesk-Sender`: an internal header, never put on the wire. Absent: the installation's own sender.
public enum OutboxSender {
    public static let header = "X-Afterdesk-Sender"

    /// The headers JSON with `sender` in it.
    public static func headers(_ base: [String: String] = [:], sender: String?) -> String? {
        var all = base
        if let sender { all[header] = sender }
        guard !all.isEmpty, let data = try? JSONEncoder.sortedKeys.encode(all) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

extension OutboxMessage {
    /// The store's own sender the message goes out as, when it has one.
    public var sender: String? {
        guard let headers, headers.contains(OutboxSender.header),
            let dict = try? JSONDecoder().decode([String: String].self, from: Data(headers.utf8))
        else { return nil }
        return dict[OutboxSender.header]
    }
}

extension JSONEncoder {
    fileprivate static var sortedKeys: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
