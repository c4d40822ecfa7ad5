import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// A gate tasks wait at until the test opens it.
final class TestGate: Sendable {
    private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resume = state.withLock { s -> Bool in
                if s.open { return true }
                s.waiting.append(c)
                return false
            }
            if resume { c.resume() }
        }
    }

    func open() {
        for c in state.withLock({ s -> [CheckedContinuation<Void, Never>] in
            s.open = true
            defer { s.waiting = [] }
            return s.waiting
        }) { c.resume() }
    }
}

/// The sign-in form under attack: parallel guesses, redirects out of the site, forged log lines (issue 23).
@Suite(.serialized, .talliedByBackend) struct SignInSecurityTests {
    /// 100 parallel wrong guesses for one name from one address reach the password check at most five times, and the
    /// right password sent while they are in flight does not sign in. The checks are counted and held by an injected
    /// verifier, so every guess of the burst is in flight together.
    @Test(arguments: TestBackend.all) func aBurstOfParallelGuessesIsHeldToTheLimit(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        let checks = Atomic<Int>(0)
        let gate = TestGate()
        var ctx = f.context
        ctx.passwords = PasswordVerifier { password, hash in
            checks.add(1, ordering: .sequentiallyConsistent)
            await gate.wait()
            return hash != nil && password == WebFixture.password
        }
        try await Application(router: try buildRouter(ctx)).test(.router) { client in
            var b = TestBrowser()
            b.read(try await client.execute(uri: "/login", method: .get, headers: b.headers))
            let headers = b.formHeaders()
            let csrf = b.csrf ?? ""
            @Sendable func guess(_ password: String) async throws -> HTTPResponse.Status {
                try await client.execute(
                    uri: "/login", method: .post, headers: headers,
                    body: TestBrowser.form([("username", "vosei"), ("password", password), ("csrf", csrf)])
                ).status
            }
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<100 { group.addTask { try await guess("wrong password!") } }
                // Once five checks are held, the right password arrives: refused before its check.
                for _ in 0..<2_000 where checks.load(ordering: .sequentiallyConsistent) < 5 { try await Task.sleep(for: .milliseconds(5)) }
                let right = try await guess(WebFixture.password)
                gate.open()
                var all = [right]
                for try await s in group { all.append(s) }
                return all
            }
            #expect(checks.load(ordering: .sequentiallyConsistent) == 5)
            #expect(statuses[0] == .tooManyRequests)
            #expect(statuses.filter { $0 == .unauthorized }.count == 5)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 96)
            #expect(!statuses.contains(.seeOther))
        }
    }

    /// `next=/<TAB>/evil.example` passed the old check; browsers drop the tab and go to `//evil.example`.
    @Test(arguments: TestBackend.all) func signingInNeverRedirectsOffTheSite(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            for next in ["/\t/evil.example", "/\n/evil.example", "/\\/evil.example", "//evil.example", "/ /evil.example"] {
                var b = TestBrowser()
                let r = try await b.signIn(client, "kliu", next: next)
                #expect(r.status == .seeOther)
                #expect(r.headers[.location] == "/deals", "\(next.debugDescription)")
            }
            var b = TestBrowser()
            #expect(try await b.signIn(client, "kliu", next: "/dashboard?by=month").headers[.location] == "/dashboard?by=month")
        }
    }

    /// A name with a line break cannot write a line of its own into the log.
    @Test(arguments: TestBackend.all) func aSignInNameCannotForgeALogLine(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            let r = try await b.signIn(client, "x\nsigned in user=root role=admin", "wrong password!")
            #expect(r.status == .unauthorized)
        }
        for line in f.log.text.split(separator: "\n") { #expect(!line.hasPrefix("signed in user=root")) }
        #expect(!f.log.text.contains("\nsigned in user=root"))
    }
}
