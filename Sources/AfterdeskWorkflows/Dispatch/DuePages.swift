import AfterdeskStorage
import Foundation

/// Where `Dispatcher.decideDue` is in its passes over what is due.
struct DuePages {
    /// The first pass reads each page ahead; the passes after it do not.
    var readingAhead: Bool
    var seen = Set<Int64>()
    var cursor: (dueAt: Date, id: Int64)?
    var decidedInPass = false
    var admission = PageAdmission()
    /// Carried from page to page and pass to pass: who was assigned last, by store.
    var staffCache = Dispatcher.StaffCache()

    /// From the start again, without reading ahead.
    mutating func nextPass() {
        readingAhead = false
        cursor = nil
        decidedInPass = false
        admission = PageAdmission()
    }
}

/// Which touches of a page are decided now (`Dispatcher.decideDue`): one per customer, none of a customer with a touch
/// left out already in this pass, and, while pages are read ahead, none of a customer of the page before.
struct PageAdmission {
    private var previous = Set<Int64>()
    private var leftOut = Set<Int64>()

    mutating func admit(_ touches: [DueTouch], readAhead: Bool) -> [DueTouch] {
        var customers = Set<Int64>()
        let due = touches.filter { t in
            let id = t.customer.id
            guard !readAhead || !previous.contains(id), !leftOut.contains(id), customers.insert(id).inserted else {
                leftOut.insert(id)
                return false
            }
            return true
        }
        previous = customers
        return due
    }
}
