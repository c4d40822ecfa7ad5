import AfterdeskCore
import Foundation

/// Folds the touch items of a page of tasks, read in (touch, deal, product) order, into each task's vehicle (its
/// touch's first item's), declined products (the distinct codes, sorted) and why now (the reason of the first product
/// code's item). `touches` maps a touch to the tasks' places in the page.
public struct TaskTouchItems {
    private let touches: [Int64: [Int]]
    private var current: (touch: Int64, vehicle: String?, codes: [String], why: (code: String, reason: String)?)?

    public init(touches: [Int64: [Int]]) { self.touches = touches }

    /// Adds one item; the tasks of the touch before it are filled in when a new touch starts.
    public mutating func add(touch: Int64, code: String, reason: String, vehicle: @autoclosure () -> String?, to out: inout [TaskRow]) {
        if current?.touch != touch {
            finish(&out)
            current = (touch, vehicle(), [], nil)
        }
        current?.codes.append(code)
        if let w = current?.why, !code.utf8.lexicographicallyPrecedes(w.code.utf8) { return }
        current?.why = (code, reason)
    }

    /// Fills in the tasks of the last touch added.
    public mutating func finish(_ out: inout [TaskRow]) {
        guard let c = current else { return }
        current = nil
        let products = Array(Set(c.codes)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.joined(separator: ", ")
        for i in touches[c.touch] ?? [] {
            out[i].vehicle = c.vehicle
            out[i].products = products
            out[i].why = c.why?.reason
        }
    }
}
