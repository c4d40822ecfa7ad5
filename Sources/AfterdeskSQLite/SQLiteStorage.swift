import AfterdeskCore
import AfterdeskStorage
import Foundation

/// The SQLite file implements every storage area.
extension AfterdeskDatabase: ImportStorage, DealStorage, PlanStorage, DispatchStorage, InboundStorage, TaskStorage,
    OutcomeStorage, OfferStorage, AccessStorage, ConsentStorage, SettingsStorage, OperationsStorage, LockStorage,
    StoreStorage, LeaseStorage
{
    public var location: String? { path }
}

extension SentJournal: SentLog {}
