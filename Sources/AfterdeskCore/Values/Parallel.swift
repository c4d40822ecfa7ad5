import Dispatch

/// Pure work split over the machine's cores, results in order.
public enum Parallel {
    /// `body(0) … body(count − 1)`, run concurrently. Each result is written once, at its own index, before
    /// `concurrentPerform` returns: that is what makes the unchecked box below safe.
    public static func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        guard count > 1 else { return (0..<count).map(body) }
        let slots = Slots<T>(count)
        DispatchQueue.concurrentPerform(iterations: count) { i in slots.set(i, .success(body(i))) }
        return (try? slots.results()) ?? (0..<count).map(body)
    }

    private final class Slots<T>: @unchecked Sendable {
        let count: Int
        let base: UnsafeMutablePointer<Result<T, any Error>?>
        init(_ count: Int) {
            self.count = count
            base = .allocate(capacity: count)
            base.initialize(repeating: nil, count: count)
        }
        deinit {
            base.deinitialize(count: count)
            base.deallocate()
        }
        func set(_ i: Int, _ r: Result<T, any Error>) { base[i] = r }
        func results() throws -> [T] {
            try (0..<count).map { i in
                guard let r = base[i] else { throw ParallelError.missing }
                return try r.get()
            }
        }
    }

    enum ParallelError: Error { case missing }
}
