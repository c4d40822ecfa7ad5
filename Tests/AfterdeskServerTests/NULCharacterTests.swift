import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import AfterdeskServer

/// A NUL character (U+0000) in what a request brings: PostgreSQL's text cannot hold one, and each such request was a
/// 500 on it (a customer's "STOP" with one, from the provider, was lost). Refused as a bad request where a person or a
/// client sends it, on both databases; dropped from a provider's signed webhook, whose text still acts.
@Suite(.serialized, .talliedByBackend) struct NULCharacterTests {
    func app(_ s: Scenario) throws -> some ApplicationProtocol {
        Application(router: try buildRouter(ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc("2026-10-02T15:00:00Z")))))
    }

    @Test(arguments: TestBackend.all) func aStopWithANULStillStopsAndAReportWithOneIsTaken(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        try await app(s).test(.router) { client in
            let r = twilioRequest("/webhooks/sms", [("From", "+15125550142"), ("Body", "STOP\0"), ("MessageSid", "SM\0nul")])
            let response = try await client.execute(uri: "/webhooks/sms", method: .post, headers: r.headers, body: r.body)
            #expect(response.status == .ok)
            let report = twilioRequest("/webhooks/sms/status", [("MessageSid", "SM\0x"), ("MessageStatus", "delivered")])
            let reported = try await client.execute(uri: "/webhooks/sms/status", method: .post, headers: report.headers, body: report.body)
            #expect(reported.status == .noContent)
        }
        let consent: Bool = try await s.rows("SELECT consent_sms FROM customers WHERE id = ?", [try await s.customer("D-1")])[0][0]
        #expect(!consent)
        #expect(try await s.rows("SELECT provider_id FROM inbound_messages").map { $0[0] as String } == ["SMnul"])
    }

    @Test(arguments: TestBackend.all) func anAddressWithANULIsABadRequest(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let token = try await SaleAmountTests().token(s)
        try await app(s).test(.router) { client in
            for uri in [
                "/api/v1/deals?q=%00", "/api/v1/deals/main/D-1%00", "/api/v1/deals/%00/D-1/plan", "/api/tasks?assignee=%00",
                "/deals?q=%00", "/deals/%00/D-1", "/o/%00",
            ] {
                let r = try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"])
                #expect(r.status == .badRequest, "\(uri)")
                #expect(String(buffer: r.body) == NULCharacters.addressRefusal, "\(uri)")
            }
            // The same addresses without the NUL are answered as ever.
            let plain = try await client.execute(uri: "/api/v1/deals?q=D-1", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(plain.status == .ok)
        }
    }

    @Test(arguments: TestBackend.all) func aJSONBodyWithANULIsABadRequest(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let token = try await SaleAmountTests().token(s)
        let headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        try await app(s).test(.router) { client in
            for uri in ["/api/tasks/1/done", "/api/v1/tasks/1/done"] {
                let r = try await client.execute(
                    uri: uri, method: .post, headers: headers, body: ByteBuffer(string: #"{"outcome":"no_answer","note":"a\u0000b"}"#))
                #expect(r.status == .badRequest, "\(uri)")
                #expect(String(buffer: r.body).contains("NUL character"), "\(uri): \(String(buffer: r.body))")
            }
        }
    }

    @Test func whereANULIsFound() throws {
        #expect(NULCharacters.inAddress("/deals?q=%00") && NULCharacters.inAddress("/d\0") && !NULCharacters.inAddress("/deals?q=%2500"))
        #expect(NULCharacters.inForm(ByteBuffer(string: "note=a%00b")) && NULCharacters.inForm(ByteBuffer(string: "note=a\0b")))
        #expect(!NULCharacters.inForm(ByteBuffer(string: "note=100%25")))
        // JSON: the escape, not a backslash escaped before "u0000", nor "u0000" alone.
        #expect(NULCharacters.inJSON(ByteBuffer(string: #"{"n":"\u0000"}"#)))
        #expect(NULCharacters.inJSON(ByteBuffer(string: #"{"n":"\\\u0000"}"#)))
        #expect(!NULCharacters.inJSON(ByteBuffer(string: #"{"n":"\\u0000"}"#)))
        #expect(!NULCharacters.inJSON(ByteBuffer(string: #"{"n":"u0000 \u0041"}"#)))
        #expect(NULCharacters.inJSON(ByteBuffer(bytes: [0x7B, 0x00, 0x7D])))
        struct Note: Decodable { var note: String? }
        #expect(throws: AppError.self) { _ = try decodeForm(Note.self, ByteBuffer(string: "note=a%00b")) }
        #expect(try decodeForm(Note.self, ByteBuffer(string: "note=a%20b")).note == "a b")
        #expect(NULCharacters.dropped("STOP\0") == "STOP")
    }
}
