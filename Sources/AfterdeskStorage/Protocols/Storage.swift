import AfterdeskCore
import Foundation

/// Everything the workflows store and read, as one value: each backend (the SQLite file; PostgreSQL for a group)
/// implements every area. Callers hold `any Storage` and never name a backend; the command line opens one
/// (`StorageLocation`) and hands it over.
///
/// Every requirement is `async`: a backend runs its database work off Swift's cooperative threads (GRDB's `read` and
/// `write`, a connection pool's own event loop), so no request handler waits on a blocking call.
public typealias Storage = ImportStorage & DealStorage & PlanStorage & DispatchStorage & InboundStorage & TaskStorage
    & OutcomeStorage & OfferStorage & AccessStorage & ConsentStorage & SettingsStorage & OperationsStorage
    & UploadStorage & LockStorage & StoreStorage & LeaseStorage
