import HTTPTypes
import Hummingbird
import NIOCore
import OpenAPIRuntime

/// The body of every operation but the imports (a task's outcome; the others take none) is small: read here up to
/// `limit`, so the generated code, which reads a body whole whatever its size, never holds more. A `Content-Length` over
/// the limit is refused before anything is read, and the connection closes; a body that grows past it is 413 too.
struct SmallBodyGuard: RouterMiddleware {
    typealias Context = APIContext
    static let limit = 64 * 1024

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > Self.limit {
            context.closeSoon()
            throw AppError(.contentTooLarge, "the body is larger than \(Self.limit / 1024) KiB")
        }
        var request = request
        do {
            let body = try await request.body.collect(upTo: Self.limit)
            if NULCharacters.inJSON(body) { throw AppError(.badRequest, NULCharacters.jsonRefusal) }
            request.body = .init(buffer: body)
        } catch let e as AppError {
            throw e
        } catch {
            context.closeSoon()
            throw error
        }
        return try await next(request, context)
    }
}

/// The API answers JSON whatever a client's `Accept` says, as it always did: the generated code would check `Accept`
/// only after the operation ran (an import or a task's outcome recorded, then a 406 a client might retry), so the
/// header is set aside before it runs.
struct AnswerJSONMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.accept] = nil
        return try await next(request, body, metadata)
    }
}

/// A task's outcome is JSON whatever its `Content-Type` says (curl's `-d` sends a form type), as before the API was
/// generated: the generated code would refuse any other type with a 415.
struct OutcomeAsJSONMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        if operationID.hasPrefix("completeTask") { request.headerFields[.contentType] = "application/json" }
        return try await next(request, body, metadata)
    }
}
