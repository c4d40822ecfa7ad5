import AfterdeskCore
import Foundation
import NIOCore
import PostgresNIO

/// A calendar date binds and reads as PostgreSQL's `date` (days since 2000-01-01, binary), never as text: a `String`
/// bound to a `date` column is refused (postgres-nio types a parameter by its Swift value).
extension LocalDate: PostgresNonThrowingEncodable, PostgresDecodable {
    /// 1970-01-01 is day 10,957 before PostgreSQL's epoch.
    static let postgresEpochOffset = 10_957

    public static var psqlType: PostgresDataType { .date }
    public static var psqlFormat: PostgresFormat { .binary }

    public func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        // Within 0001…9999 (LocalDate's clamp), far inside Int32.
        byteBuffer.writeInteger(Int32(truncatingIfNeeded: daysSinceEpoch - LocalDate.postgresEpochOffset))
    }

    public init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .date, format == .binary, buffer.readableBytes == 4, let days = buffer.readInteger(as: Int32.self)
        else { throw PostgresDecodingError.Code.typeMismatch }
        self = LocalDate(daysSinceEpoch: Int(days) + LocalDate.postgresEpochOffset)
    }
}

/// A column of dates binds as one `date[]` parameter (planning's writes, read back by `unnest`).
extension LocalDate: PostgresArrayEncodable {
    public static var psqlArrayType: PostgresDataType { .dateArray }
}

extension Date {
    /// The instant cut to its whole second, as `timestamptz(0)` keeps it and SQLite's text did (PostgreSQL would round
    /// half a second up): bind `now.wholeSecond` where the stored instant is compared with the one given.
    var wholeSecond: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
