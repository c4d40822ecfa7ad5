import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import Logging

public struct Channels: Sendable {
    public var email: (any EmailChannel)?
    public var sms: (any SMSChannel)?
    public var webhook: (any WebhookChannel)?

    public init(email: (any EmailChannel)?, sms: (any SMSChannel)?, webhook: (any WebhookChannel)?) {
        self.email = email
        self.sms = sms
        self.webhook = webhook
    }

    /// Every channel records.
    public static func recording(_ r: RecordingChannels) -> Channels { Channels(email: r, sms: r, webhook: r) }

    /// Live channels for what the settings configure; a channel not configured stays nil, and its messages wait
    /// in the outbox with the reason.
    public static func live(_ s: Settings) -> Channels {
        Channels(
            email: s.smtpURL.map { SMTPEmailChannel(url: $0, user: s.smtpUser, password: s.smtpPassword, caFile: s.smtpCAFile) },
            sms: s.smsAccountSID.flatMap { sid in
                s.smsAuthToken.flatMap { token in
                    s.smsFrom.map {
                        TwilioSMSChannel(
                            baseURL: s.smsBaseURL, accountSID: sid, authToken: token, from: $0,
                            statusCallback: s.publicURL + "/webhooks/sms/status")
                    }
                }
            },
            webhook: HTTPWebhookChannel())
    }
}

/// One due touch and what dispatch would do with it, for `run --dry-run` and `--json`.
