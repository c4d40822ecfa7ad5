import AfterdeskStorage

/// PostgresStorage is every storage protocol; each area's requirements are in its own folder.
extension PostgresStorage: AccessStorage {}
extension PostgresStorage: ConsentStorage {}
extension PostgresStorage: DealStorage {}
extension PostgresStorage: DispatchStorage {}
extension PostgresStorage: ImportStorage {}
extension PostgresStorage: InboundStorage {}
extension PostgresStorage: LockStorage {}
extension PostgresStorage: OfferStorage {}
extension PostgresStorage: OperationsStorage {}
extension PostgresStorage: OutcomeStorage {}
extension PostgresStorage: PlanStorage {}
extension PostgresStorage: SettingsStorage {}
extension PostgresStorage: StoreStorage {}
extension PostgresStorage: TaskStorage {}
extension PostgresStorage: LeaseStorage {}
