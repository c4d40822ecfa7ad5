import AfterdeskStorage
import Hummingbird
import OpenAPIRuntime

extension AppError {
    /// What the generated code threw: a handler's or middleware's own error as it is; a request that does not match the
    /// spec (a query value of the wrong type or not in its list, a body that is not the JSON asked for) is 400; the
    /// generated code's other failures are the server's.
    static func from(openAPI e: ServerError) -> AppError {
        switch e.underlyingError {
        case is AppError, is StoreError, is any HTTPResponseError: return from(e.underlyingError)
        default: break
        }
        guard (400..<500).contains(e.httpStatus.code) else { return serverFailure }
        if e.httpStatus == .badRequest, e.operationID.hasPrefix("completeTask") {
            return AppError(.badRequest, "the body must be JSON with an outcome, one of the documented ones")
        }
        return AppError(e.httpStatus, "the request is not one this operation takes (docs/openapi.yaml): \(e.causeDescription)")
    }
}
