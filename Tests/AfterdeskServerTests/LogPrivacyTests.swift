import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskDelivery
import AfterdeskSQLite
import AfterdeskStorage
import AfterdeskTestSupport
import Foundation
import Logging
import Testing

@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// Log lines kept in memory, for tests.
final class CapturedLog: @unchecked Sendable {
    // @unchecked: `lines` is only touched while holding `lock`.
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }
    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return lines.joined(separator: "\n")
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            log.append(
                "\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
    }

    var logger: Logger { Logger(label: "test") { _ in Handler(log: self) } }
}

@Suite(.serialized, .talliedByBackend) struct LogPrivacyTests {
    @Test func redactionMasksAddressesAndNumbersButNotDates() {
        let text = "550 5.1.1 <james.smith@example.com>: User unknown; +1 (512) 555-0199 and 5125550142 failed on 2026-11-22 (attempt 3)"
        let masked = Redact.contactData(in: text)
        #expect(!masked.contains("james.smith@example.com") && masked.contains("j•••@example.com"))
        #expect(!masked.contains("555-0199") && !masked.contains("5125550142") && masked.contains("0142"))
        #expect(masked.contains("2026-11-22 (attempt 3)"))
    }

    /// The defect: provider errors were logged and stored as they came, and providers quote the address or number
    /// they refuse (Twilio: "The 'To' number +1… is not a valid phone number"). Real local servers refuse both here.
    @Test(arguments: TestBackend.all) func refusingProvidersLeaveNoAddressOrNumberInTheLogOrTheOutbox(backend: TestBackend) async throws {
        let dir = temporaryDirectory()
        let smtp = try LocalServer(script: "smtp_sink.py", arguments: [dir.path, "--reject-rcpt"])
        let sms = try LocalServer(
            script: "fake_twilio.py", arguments: [dir.appendingPathComponent("sms.log").path, "AC1", "tok", "--reject-to"])
        defer {
            smtp.stop()
            sms.stop()
        }
        let s = try await Scenario(backend: backend)
        s.settings.smtpURL = "smtp://127.0.0.1:\(smtp.port)"
        s.settings.smsBaseURL = "http://127.0.0.1:\(sms.port)"
        s.settings.smsAccountSID = "AC1"
        s.settings.smsFrom = "+15125550100"
        let maria = try #require(try await s.touches("D-1").first)
        let james = try #require(try await s.touches("D-2").first)
        let log = CapturedLog()
        var dispatcher = Dispatcher(
            database: s.db, menu: menu, warranties: warranties, templates: templates, settings: s.settings,
            channels: .live(s.settings), signingSecret: "secret")
        dispatcher.logger = log.logger
        _ = try await dispatcher.run(now: max(utc(maria.due), utc(james.due)))
        let stored = try await s.rows("SELECT channel, last_error FROM outbox").compactMap { r in
            (r[1] as String?).map { "\(r[0] as String): \($0)" }
        }
        #expect(stored.contains { $0.hasPrefix("sms: SMS provider answered 400: The 'To' number") }, "\(stored)")
        #expect(stored.contains { $0.hasPrefix("email: SMTP") }, "\(stored)")
        for text in stored + [log.text] {
            #expect(!text.contains("james@example.com") && !text.contains("+15125550142") && !text.contains("5125550142"), "\(text)")
        }
        // What was refused is still recognisable to a person: the masked number.
        #expect(log.text.contains("send failed") && log.text.contains("0142"), "\(log.text)")
    }
}
