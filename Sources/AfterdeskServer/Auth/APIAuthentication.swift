import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird

extension APITokens {
    /// The bearer token of a request, if it carries one.
    static func bearer(_ request: Request) -> String? {
        guard let value = request.headers[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty || token.count > 200 ? nil : token
    }
}

/// The API's tokens, as `BearerAuthenticator` reads them: no token, or a wrong, revoked or expired one, is nobody.
struct APIAuthentication: Sendable {
    let ctx: ServerContext

    /// The person a request acts for; nil without a bearer token, or with one that is unknown, revoked or expired, or
    /// whose user is disabled. The token itself is never logged.
    func principal(_ request: Request) async throws -> Principal? {
        guard let token = APITokens.bearer(request) else { return nil }
        return try await ctx.database.principal(tokenHash: APITokens.hash(token), now: ctx.clock.now())
    }
}
