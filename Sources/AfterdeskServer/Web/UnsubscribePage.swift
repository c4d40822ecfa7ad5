/// The customer's email unsubscribe pages (`InboundController`): the page with its one button (`action`, the link to
/// POST), the answer, and an invalid link's.
struct UnsubscribePage: PageModel {
    static let template = "unsubscribe"
    var layout: Layout
    var text: String
    var action: String?
    /// The dealership's physical address.
    var address: String
}
