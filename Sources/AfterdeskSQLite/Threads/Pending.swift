import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

/// A value computed on another thread, waited for once.
final class Pending<Value: Sendable>: @unchecked Sendable {
    private var value: Value?
    private let done = DispatchSemaphore(value: 0)
    func fulfil(_ v: Value) {
        value = v
        done.signal()
    }
    /// Waits for the value and takes it out.
    func take() -> Value {
        done.wait()
        defer { value = nil }
        return value!
    }
}
