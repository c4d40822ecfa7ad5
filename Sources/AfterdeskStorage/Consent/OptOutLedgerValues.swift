import AfterdeskCore
import Foundation

/// An entry to append to the opt-out ledger (docs/compliance.md, "Opt-outs").
public struct OptOutRecord: Sendable, Equatable {
    public var address: String
    public var channel: ContactChannel
    public var source: OptOutSource
    public var detail: String
    public var reference: String?
    public var recordedBy: String
    public var customerID: Int64?
    public var effectiveOn: LocalDate?

    public init(
        address: String, channel: ContactChannel, source: OptOutSource, detail: String, reference: String? = nil,
        recordedBy: String, customerID: Int64? = nil, effectiveOn: LocalDate? = nil
    ) {
        self.address = address
        self.channel = channel
        self.source = source
        self.detail = detail
        self.reference = reference
        self.recordedBy = recordedBy
        self.customerID = customerID
        self.effectiveOn = effectiveOn
    }
}
