import Foundation
import PostgresNIO

/// How a batch of events becomes one INSERT. Both are idempotent on `event_id`
/// (`ON CONFLICT (event_id) DO NOTHING`); `Benchmarks/PostgresSink` measures them.
public enum PostgresInsertStyle: String, Sendable, CaseIterable {
    /// One bind per column, each an array of the batch's values, spread by `unnest`:
    /// eleven binds whatever the batch size. The sink's choice (faster; see docs/events.md).
    case unnest
    /// `VALUES (...), (...)`: eleven binds per event, so at most 5,957 events a statement.
    case multiRowValues = "values"

    /// The statement for `records`.
    func query(_ records: ArraySlice<EventRecord>) -> PostgresQuery {
        switch self {
        case .unnest: Self.unnestQuery(records)
        case .multiRowValues: Self.valuesQuery(records)
        }
    }

    /// PostgreSQL's limit on binds in one statement.
    static let maxBinds = 65_535
    static let columnCount = 11

    /// Most events one statement of this style can carry.
    var maxEvents: Int {
        switch self {
        case .unnest: Int.max
        case .multiRowValues: Self.maxBinds / Self.columnCount
        }
    }

    private static let columns =
        "event_id, type, ts, message_id, rcpt_to, campaign_id, customer_id, target_link_url, target_link_name, machine, payload"

    private static func unnestQuery(_ records: ArraySlice<EventRecord>) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: columnCount)
        bindings.append(records.map(\.eventID))
        bindings.append(records.map(\.type))
        bindings.append(records.map(\.timestamp))
        bindings.append(NullableTextArray(records.map(\.messageID)))
        bindings.append(NullableTextArray(records.map(\.rcptTo)))
        bindings.append(NullableTextArray(records.map(\.campaignID)))
        bindings.append(NullableTextArray(records.map(\.customerID)))
        bindings.append(NullableTextArray(records.map(\.targetLinkURL)))
        bindings.append(NullableTextArray(records.map(\.targetLinkName)))
        bindings.append(NullableTextArray(records.map(\.machine)))
        bindings.append(records.map(\.json))
        return PostgresQuery(unsafeSQL: """
            INSERT INTO tracking_events (\(columns))
            SELECT e, t, ts, m, r, c, cu, u, n, ma, p::jsonb
            FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[],
                        $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
                 AS x(e, t, ts, m, r, c, cu, u, n, ma, p)
            ON CONFLICT (event_id) DO NOTHING
            """, binds: bindings)
    }

    private static func valuesQuery(_ records: ArraySlice<EventRecord>) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: records.count * columnCount)
        var sql = "INSERT INTO tracking_events (\(columns)) VALUES "
        for (row, record) in records.enumerated() {
            let base = row * columnCount
            if row > 0 { sql += "," }
            sql += "("
            sql += (1...columnCount).map { "$\(base + $0)" }.joined(separator: ",")
            sql += "::jsonb)"
            bindings.append(record.eventID)
            bindings.append(record.type)
            bindings.append(record.timestamp)
            bindings.append(record.messageID)
            bindings.append(record.rcptTo)
            bindings.append(record.campaignID)
            bindings.append(record.customerID)
            bindings.append(record.targetLinkURL)
            bindings.append(record.targetLinkName)
            bindings.append(record.machine)
            bindings.append(record.json)
        }
        sql += " ON CONFLICT (event_id) DO NOTHING"
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }
}

/// A `text[]` whose elements may be NULL (postgres-nio's arrays have no optional elements).
struct NullableTextArray: PostgresNonThrowingEncodable {
    let elements: [String?]

    init(_ elements: [String?]) { self.elements = elements }

    static var psqlType: PostgresDataType { .textArray }
    static var psqlFormat: PostgresFormat { .binary }

    /// The array's binary form: dimensions, has-null flag, element type, then per dimension
    /// its length and lower bound, then each element as a length (-1 for NULL) and bytes.
    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(elements.contains(where: { $0 == nil }) ? 1 : 0, as: Int32.self)
        buffer.writeInteger(PostgresDataType.text.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(truncatingIfNeeded: elements.count))
        buffer.writeInteger(1, as: Int32.self)
        for element in elements {
            if let element {
                buffer.writeInteger(Int32(truncatingIfNeeded: element.utf8.count))
                buffer.writeString(element)
            } else {
                buffer.writeInteger(-1, as: Int32.self)
            }
        }
    }
}
