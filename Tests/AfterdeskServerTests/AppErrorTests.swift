import AfterdeskCore
import AfterdeskStorage
import AfterdeskTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import AfterdeskServer

/// The one application error: what each thrown error becomes, and the API's shape of it.
struct AppErrorTests {
    struct Unexpected: Error { var secret = "/srv/afterdesk/db.sqlite is locked" }

    @Test func storeErrorsKeepTheirStatusAndWords() {
        let cases: [(StoreError, HTTPResponse.Status, String)] = [
            (.notFound("no deal D-9"), .notFound, "not_found"),
            (StoreError("choose an outcome"), .unprocessableContent, "unprocessable"),
            (.conflict("task 1 is already done"), .unprocessableContent, "unprocessable"),
            (.io("cannot open /srv/afterdesk/db.sqlite"), .internalServerError, "internal"),
            (.integrity("row 3 has no store"), .internalServerError, "internal"),
        ]
        for (store, status, code) in cases {
            let e = AppError.from(store)
            #expect(e.status == status, "\(store.kind)")
            #expect(e.code == code)
            let body = String(decoding: e.apiJSON, as: UTF8.self)
            if status == .internalServerError {
                #expect(!body.contains("/srv") && !body.contains("row 3"), "no detail of the server's insides: \(body)")
                #expect(e.message == "The server could not complete the request.")
            } else {
                #expect(body.contains(store.message))
                #expect(e.message == store.message)
            }
        }
    }

    @Test func hummingbirdsAndUnknownErrors() {
        let refused = AppError.from(HTTPError(.badRequest, message: "limit is 1 to 500"))
        #expect(refused.status == .badRequest && refused.code == "bad_request" && refused.message == "limit is 1 to 500")
        let unknown = AppError.from(Unexpected())
        #expect(unknown.status == .internalServerError && unknown.isServerFailure)
        #expect(!String(decoding: unknown.apiJSON, as: UTF8.self).contains("locked"))
        #expect(AppError.from(GroupWithoutAuthenticator()).status == .internalServerError)
        // NIO's error for a body over its limit carries its own status (Hummingbird answered 413 before the groups).
        let tooLarge = AppError.from(NIOTooManyBytesError(maxBytes: 16))
        #expect(tooLarge.status == .contentTooLarge && tooLarge.code == "too_large" && !tooLarge.isServerFailure)
    }

    /// An oversized body on a public route (the webhooks, the unsubscribe button) is the sender's error, 413, never a
    /// logged 500 a stranger can raise at will.
    @Test func anOversizedPublicBodyIs413() async throws {
        let s = try await Scenario()
        let context = ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc("2026-10-02T15:00:00Z")))
        try await Application(router: try buildRouter(context)).test(.router) { client in
            let big = ByteBuffer(string: "c=1&t=" + String(repeating: "x", count: 20 * 1024))
            let r = try await client.execute(
                uri: "/unsubscribe", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: big)
            #expect(r.status == .contentTooLarge)
            let sms = try await client.execute(
                uri: "/webhooks/sms", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: String(repeating: "x", count: 300 * 1024)))
            #expect(sms.status == .contentTooLarge)
        }
    }

    @Test func theAPIShapeAndItsChallenge() throws {
        let e = AppError.unauthenticated(next: "/tasks")
        let r = e.apiResponse
        #expect(r.status == .unauthorized)
        #expect(r.headers[.wwwAuthenticate] == "Bearer realm=\"afterdesk\"")
        let json = try #require(try JSONSerialization.jsonObject(with: e.apiJSON) as? [String: [String: String]])
        #expect(json["error"]?["code"] == "unauthorized")
        #expect(json["error"]?["message"]?.contains("Bearer") == true)
        let forbidden = AppError.forbidden(.financeDirector, .tasks)
        #expect(forbidden.status == .forbidden)
        #expect(forbidden.apiMessage == "the finance_director role has no task queue")
        #expect(forbidden.message == "This page is not part of the finance director role.")
        #expect(AppError.forbidden(.sales, .deals).apiMessage == "the sales role may not do this")
        #expect(AppError.forbidden(.sales, .deals).apiResponse.headers[.wwwAuthenticate] == nil)
    }
}
