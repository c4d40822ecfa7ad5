import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird

/// `{"error": {"code": …, "message": …}}`, the API's one error shape.
func errorResponse(_ code: String, _ message: String, status: HTTPResponse.Status) -> Response {
    Response(
        status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: errorJSON(code, message))))
}

/// The bytes of the API's error shape.
func errorJSON(_ code: String, _ message: String) -> Data {
    struct Body: Encodable {
        struct E: Encodable {
            var code: String
            var message: String
        }
        var error: E
    }
    return (try? JSONEncoder().encode(Body(error: .init(code: code, message: message)))) ?? Data("{}".utf8)
}

/// The one place a store error becomes an HTTP status: no such thing is 404; a request that cannot be done as asked,
/// an ambiguous one, a conflict with the state (a task already done) or a refused file is 422; the database's own
/// files or its invariants failing is 500, without the detail.
enum HTTPErrors {
    static func status(for error: StoreError) -> HTTPResponse.Status {
        switch error.kind {
        case .notFound: return .notFound
        case .invalid, .ambiguous, .conflict, .refusedFile: return .unprocessableContent
        case .io, .integrity: return .internalServerError
        }
    }

    /// The error's words for an API client: a task outcome's problem names the JSON field, not the command line's flag.
    static func message(_ error: StoreError) -> String {
        error.outcomeProblem?.message(naming: { "\"\($0.rawValue)\"" }) ?? error.message
    }

    /// The API's answer to a store error (as `APIErrorMiddleware` gives it).
    static func response(for error: StoreError) -> Response { AppError.from(error).apiResponse }
}
