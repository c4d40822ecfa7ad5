import AfterdeskAPI
import AfterdeskCore
import Foundation
import HTTPTypes
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime

extension APIHandlers {
    /// Every operation of docs/openapi.yaml (but the task queue's `GET`, `TaskAPIController`) on the router, each in the
    /// API group of its area: the group's bearer authenticator and role middleware run before the generated code.
    func register(in groups: RouteGroups) throws {
        try registerHandlers(
            on: APITransport(groups: groups),
            configuration: .init(jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes]),
            middlewares: [AnswerJSONMiddleware(), OutcomeAsJSONMiddleware(), RawJSONBodyMiddleware()])
    }
}

/// swift-openapi-hummingbird's transport, with a group per operation: the generated code names a path, the access table
/// (`Area`) says who may use it. A path missing from `areas` stops the router from being built.
struct APITransport: ServerTransport {
    let groups: RouteGroups

    /// The area of each generated operation's path.
    static let areas: [String: Area] = [
        "/api/tasks/{id}/done": .tasks,
        "/api/v1/tasks/{id}/done": .tasks,
        "/api/v1/deals": .deals,
        "/api/v1/deals/{store}/{number}": .deals,
        "/api/v1/deals/{store}/{number}/plan": .deals,
        "/api/v1/deals/import": .imports,
        "/api/v1/contracts/import": .imports,
        "/api/v1/cancellations/import": .imports,
        "/api/v1/report": .figures,
    ]

    struct UnknownPath: Error, CustomStringConvertible {
        var path: String
        var description: String { "docs/openapi.yaml's \(path) has no area in APITransport.areas" }
    }

    func register(
        _ handler: @escaping @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
        method: HTTPRequest.Method, path: String
    ) throws {
        guard let area = Self.areas[path] else { throw UnknownPath(path: path) }
        let group = groups.api(area)
        if area == .imports {
            group.add(middleware: ImportBodyGuard()).register(handler, method: method, path: path)
        } else {
            group.add(middleware: SmallBodyGuard()).register(handler, method: method, path: path)
        }
    }
}

/// The body of a JSON deal import, as sent (`RawJSONBodyMiddleware`).
enum RawJSONBody {
    @TaskLocal static var current: HTTPBody?
}

/// The generated code reads a JSON request body whole into values; a JSON deal file must reach the importer as it was
/// written (its line numbers and exact numbers, docs/import.md) and may be 512 MiB. For `importDeals` with
/// `Content-Type: application/json`, this hands the body on untouched in `RawJSONBody.current` and gives the generated
/// code a JSON `null` in its place.
struct RawJSONBodyMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard operationID == "importDeals", let body, Self.isJSON(request.headerFields[.contentType]) else {
            return try await next(request, body, metadata)
        }
        return try await RawJSONBody.$current.withValue(body) { try await next(request, HTTPBody("null"), metadata) }
    }

    /// `application/json`, with or without parameters: the content type the generated code takes as JSON here.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType, let type = contentType.split(separator: ";").first else { return false }
        return type.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }
}

/// An import's body refused before it is read (a `Content-Length` over the limit) or part way (413, 408): the answer is
/// sent and the connection closes soon after, rather than reading the rest of the body first.
struct ImportBodyGuard: RouterMiddleware {
    typealias Context = APIContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > APIHandlers.maxBody {
            context.closeSoon()
            throw AppError(.contentTooLarge, "the file is larger than 512 MiB")
        }
        do {
            return try await next(request, context)
        } catch {
            let status = AppError.from(error).status
            if status == .contentTooLarge || status == .requestTimeout { context.closeSoon() }
            throw error
        }
    }
}
