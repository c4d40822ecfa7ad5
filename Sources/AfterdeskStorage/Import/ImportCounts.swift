import AfterdeskCore

/// What an import's rows did, counted per batch and per file (`import_runs`) and added into its summary.
public struct ImportCounts: Sendable {
    public var read = 0, inserted = 0, updated = 0, unchanged = 0, rejected = 0, declines = 0, recoveries = 0, unwinds = 0, warned = 0

    public init() {}

    public mutating func add(_ o: ImportCounts) {
        inserted += o.inserted
        updated += o.updated
        unchanged += o.unchanged
        rejected += o.rejected
        declines += o.declines
        recoveries += o.recoveries
        unwinds += o.unwinds
        warned += o.warned
    }
}

extension ImportSummary {
    /// Lists a refused row or a warning, up to the cap of each list; past it, only counted.
    public mutating func list(_ r: ImportReject) {
        if r.isWarning {
            if rowWarnings.count < ImportSummary.rejectListCap {
                rowWarnings.append(
                    ImportWarning(
                        file: r.file, line: r.line, field: r.field, value: r.value, warning: r.error,
                        dealNumber: r.dealNumber))
            } else {
                rowWarningsOmitted += 1
            }
        } else if rejects.count < ImportSummary.rejectListCap {
            rejects.append(r)
        } else {
            rejectsOmitted += 1
        }
    }

    /// Adds a batch's counts (once per batch, so the key paths cost nothing that shows).
    public mutating func add(_ c: ImportCounts) {
        let summed: [(KeyPath<ImportCounts, Int>, WritableKeyPath<ImportSummary, Int>)] = [
            (\.inserted, \.inserted), (\.updated, \.updated), (\.unchanged, \.unchanged), (\.rejected, \.rejected),
            (\.declines, \.declines), (\.recoveries, \.recoveries), (\.unwinds, \.unwinds), (\.warned, \.warned),
        ]
        for (count, total) in summed { self[keyPath: total] += c[keyPath: count] }
    }
}
