import AfterdeskCore
import Foundation

/// Where a message's customer lives, for the contact calendar at the moment of handing it to a provider.
public struct RecipientPlace: Sendable, Equatable {
    public var state: String?
    public var zip: String?
    public var phone: String?
    /// The customer's store: its own, tighter contact rules apply to its messages too.
    public var store: String?

    public init(
        state: String? = nil, zip: String? = nil, phone: String? = nil, store: String? = nil
    ) {
        self.state = state
        self.zip = zip
        self.phone = phone
        self.store = store
    }
}
