import AfterdeskTestSupport
import Foundation
import Testing

@testable import AfterdeskDelivery

@Suite struct OutboundHTTPTests {
    /// Texts to a kept-alive provider go over the pool's connections: one at a time, one connection.
    @Test func textsShareAKeptAliveConnection() async throws {
        let dir = temporaryDirectory()
        let counted = dir.appendingPathComponent("connections")
        let server = try LocalServer(
            script: "fake_twilio.py",
            arguments: [dir.appendingPathComponent("sms.jsonl").path, "AC1", "t", "--keep-alive", "--connections", counted.path])
        let http = OutboundHTTP()
        var sids: Set<String> = []
        for i in 0..<5 {
            let result = try await httpRequest(
                method: "POST", url: "http://127.0.0.1:\(server.port)/2010-04-01/Accounts/AC1/Messages.json", user: "AC1", password: "t",
                headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data("To=%2B15125550142&From=%2B1&Body=\(i)".utf8),
                http: http)
            #expect(result.status == 201)
            let answer = try JSONSerialization.jsonObject(with: result.body) as? [String: Any]
            sids.insert(answer?["sid"] as? String ?? "")
        }
        #expect(sids.count == 5)
        await http.shutdown()
        server.stop()
        #expect(try String(contentsOf: counted, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }

    /// After its owner shut it down, the client refuses, temporarily; a failure never shows the URL's query (a
    /// customer's number in a message lookup).
    @Test func aShutDownClientRefusesTemporarilyWithoutTheQuery() async throws {
        let http = OutboundHTTP()
        await http.shutdown()
        do {
            _ = try await httpRequest(
                method: "GET", url: "http://127.0.0.1:1/Messages.json?To=%2B15125550142", user: nil, password: nil, headers: [], body: nil,
                http: http)
            Issue.record("a shut-down client sent")
        } catch {
            #expect(!error.permanent)
            #expect(error.message.contains("shutting down"))
            #expect(!error.message.contains("5550142"))
        }
        let closed = TwilioSMSChannel(baseURL: "http://127.0.0.1:1", accountSID: "AC1", authToken: "t", from: "+1", statusCallback: nil)
        do {
            _ = try await closed.find(to: "+15125550142", body: "x", since: Date())
            Issue.record("found on a closed port")
        } catch {
            #expect(!error.permanent)
            #expect(!error.message.contains("5550142"))
        }
    }
}
