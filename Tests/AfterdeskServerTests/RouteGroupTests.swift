import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskWorkflows
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import AfterdeskServer

/// The groups themselves: the API's person is in a task-local for handlers that do not see the context, a refused
/// person never reaches a route, and no route looks for a person by itself.
@Suite(.serialized, .talliedByBackend) struct RouteGroupTests {
    @Test(arguments: TestBackend.all) func theAPIGroupBindsThePrincipalForHandlersWithoutTheContext(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        let tokens = try await RouteAccessTests.tokens(f)
        let router = try buildRouter(f.context)
        let groups = RouteGroups(router: router, ctx: f.context, pages: try Pages.load())
        groups.api(.imports).get("/api/v1/test-principal") { _, context -> Response in
            // What a generated OpenAPI handler would read: the same person as the context's.
            json(["local": RequestPrincipal.current?.name ?? "none", "context": context.principal.name])
        }
        try await Application(router: router).test(.router) { client in
            var h = HTTPFields()
            h[.authorization] = "Bearer \(tokens[.fi] ?? "")"
            try await client.execute(uri: "/api/v1/test-principal", method: .get, headers: h) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body) == #"{"context":"kliu","local":"kliu"}"#)
            }
            // Requests of two people at once each see their own person, never the other's.
            let people: [(RouteAccessTests.Caller, String)] = [(.fi, "kliu"), (.admin, "root")]
            try await withThrowingTaskGroup(of: (String, String).self) { group in
                for i in 0..<40 {
                    let (caller, name) = people[i % 2]
                    group.addTask {
                        var h = HTTPFields()
                        h[.authorization] = "Bearer \(tokens[caller] ?? "")"
                        let r = try await client.execute(uri: "/api/v1/test-principal", method: .get, headers: h)
                        return (name, String(buffer: r.body))
                    }
                }
                for try await (name, body) in group {
                    #expect(body == #"{"context":""# + name + #"","local":""# + name + #""}"#)
                }
            }
        }
    }

    /// The route of a group runs only for a person its door lets in: nobody and a role outside the area never reach it.
    @Test(arguments: TestBackend.all) func aRefusedPersonNeverReachesTheRoute(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        let tokens = try await RouteAccessTests.tokens(f)
        let router = try buildRouter(f.context)
        let groups = RouteGroups(router: router, ctx: f.context, pages: try Pages.load())
        let reached = Counter()
        groups.api(.admin).get("/api/v1/test-admin") { _, _ -> Response in
            reached.add()
            return json([:])
        }
        groups.pages(.admin).get("/test-admin") { _, _ -> Response in
            reached.add()
            return json([:])
        }
        try await Application(router: router).test(.router) { client in
            for caller in [RouteAccessTests.Caller.stranger, .sales, .director, .fi] {
                var h = HTTPFields()
                if let token = tokens[caller] { h[.authorization] = "Bearer \(token)" }
                let r = try await client.execute(uri: "/api/v1/test-admin", method: .get, headers: h)
                #expect(r.status == (caller == .stranger ? .unauthorized : .forbidden))
                var b = TestBrowser()
                if let user = caller.user { try await b.signIn(client, user) }
                let page = try await client.execute(uri: "/test-admin", method: .get, headers: b.headers)
                #expect(page.status == (caller == .stranger ? .seeOther : .forbidden))
            }
            #expect(reached.value == 0)
            var h = HTTPFields()
            h[.authorization] = "Bearer \(tokens[.admin] ?? "")"
            #expect(try await client.execute(uri: "/api/v1/test-admin", method: .get, headers: h).status == .ok)
            #expect(reached.value == 1)
        }
    }

    /// "No handler checks auth or roles by hand": outside the groups' middleware, no source of the server reads a
    /// session or a token, or compares a role with a set.
    @Test func noRouteLooksForAPersonByItself() throws {
        let server = repositoryRoot.appendingPathComponent("Sources/AfterdeskServer")
        let allowed: Set<String> = [
            "Auth/Authenticators.swift", "Auth/APIAuthentication.swift", "Web/WebSession.swift", "Web/PageErrorMiddleware.swift",
        ]
        let forbidden = ["signedIn(", "APIAuthentication(", "roles.contains(", "auth.require(", "WebForms.check("]
        let files = try FileManager.default.subpathsOfDirectory(atPath: server.path).filter { $0.hasSuffix(".swift") }
        #expect(files.count > 30)
        for file in files where !allowed.contains(file) {
            let text = try String(contentsOf: server.appendingPathComponent(file), encoding: .utf8)
            for needle in forbidden where text.contains(needle) {
                Issue.record("\(file) contains \(needle)")
            }
        }
    }
}

/// A count shared with a route.
final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
