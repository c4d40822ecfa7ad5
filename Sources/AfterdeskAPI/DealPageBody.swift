/// `DealPage` of docs/openapi.yaml, in place of the generated type (`typeOverrides` in `openapi-generator-config.yaml`):
/// `next_cursor` is required and null on the last page, where generated code would leave a nil property out.
package struct DealPageBody: Codable, Hashable, Sendable {
    package var deals: [Components.Schemas.DealListItem]
    /// Opaque; null on the last page.
    package var nextCursor: String?

    package init(deals: [Components.Schemas.DealListItem], nextCursor: String?) {
        self.deals = deals
        self.nextCursor = nextCursor
    }

    package enum CodingKeys: String, CodingKey {
        case deals
        case nextCursor = "next_cursor"
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(deals, forKey: .deals)
        try c.encode(nextCursor, forKey: .nextCursor)  // null on the last page
    }
}
