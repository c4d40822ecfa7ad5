import Foundation
import Hummingbird

extension ServerContext {
    /// The address a request comes from, for the limits per address (sign-in, offer pages): the peer, or the client a
    /// trusted proxy (`trusted_proxies`) names last in `X-Forwarded-For` (the one address that proxy saw itself).
    func clientAddress(_ request: Request, _ context: AppRequestContext) -> String {
        let peer = context.peer ?? "local"
        guard settings.trustedProxies.contains(peer),
            let forwarded = request.headers[.init("X-Forwarded-For")!]?.split(separator: ",").last
        else { return peer }
        let client = forwarded.trimmingCharacters(in: .whitespaces)
        return client.isEmpty ? peer : String(client.prefix(64))
    }
}
