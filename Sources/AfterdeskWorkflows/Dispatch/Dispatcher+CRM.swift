import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation

/// What a task's deliveries to the CRM say: the follow-up task of a touch, or the task an offer page's button made.
public struct CRMTask {
    /// Names the lead (`afterdesk-<key>`) and the messages' idempotency keys (`<key>-crm_lead`, `<key>-webhook`).
    public var key: String
    public var touchID: Int64?
    /// The task's kind in the webhook, for a task that is not a touch's follow-up (nil: the payload as before).
    public var kind: String?
    public var store: String
    public var customer: CustomerContact
    /// The vehicle (year, make, model, VIN, new or used) of the task's deal.
    public var vehicle: DueItem
    public var task: NewTask
    public var assignee: String?
    /// `deal_number:product` for each product the task is about.
    public var products: [String]

    public init(
        key: String, touchID: Int64?, kind: String?, store: String, customer: CustomerContact, vehicle: DueItem, task: NewTask,
        assignee: String?, products: [String]
    ) {
        self.key = key
        self.touchID = touchID
        self.kind = kind
        self.store = store
        self.customer = customer
        self.vehicle = vehicle
        self.task = task
        self.assignee = assignee
        self.products = products
    }
}

extension Dispatcher {
    /// A task's deliveries to the CRM: an ADF lead by email and a signed webhook, each when configured.
    public func crmMessages(_ t: CRMTask, now: Date) -> [NewOutboxMessage] {
        var out: [NewOutboxMessage] = []
        let c = t.customer
        let v = t.vehicle
        if let leadAddress = settings.crmLeadEmail {
            let lead = ADFLead(
                id: "afterdesk-\(t.key)", requestDate: now, vehicleYear: v.vehicleYear, vehicleMake: v.vehicleMake,
                vehicleModel: v.vehicleModel, vin: v.vin, vehicleIsNew: v.vehicleIsNew, firstName: c.firstName, lastName: c.lastName,
                email: c.email, phone: c.phone, comments: t.task.title + "\n" + t.task.detail, dealershipName: menu.dealership.name,
                dealershipPhone: menu.dealership.phone, dealershipEmail: settings.emailFrom.map(MIME.address), assignee: t.assignee)
            // crm_lead: body is the readable text part, html holds the ADF XML part.
            out.append(
                NewOutboxMessage(
                    channel: .crmLead, idempotencyKey: "\(t.key)-crm_lead", recipient: leadAddress,
                    subject: "Afterdesk lead: \(t.task.title)",
                    body: t.task.title + "\n\n" + t.task.detail + (t.assignee.map { "\n\nAssigned to: \($0)" } ?? ""), html: lead.xml,
                    headers: OutboxSender.headers(sender: ownSender.email)))
        }
        if let url = settings.webhookURL, let body = Self.webhookBody(t) {
            out.append(NewOutboxMessage(channel: .webhook, idempotencyKey: "\(t.key)-webhook", recipient: url, body: body))
        }
        return out
    }

    /// The task webhook's JSON (docs/api.md): sorted keys; `touch_id` for a touch's task, `kind` for any other.
    static func webhookBody(_ t: CRMTask) -> String? {
        struct Payload: Encodable {
            var event = "task.created"
            var touchID: Int64?
            var kind: String?
            var store: String
            var customer: String
            var phone: String?
            var email: String?
            var title: String
            var detail: String
            var assignee: String?
            var dueAt: String
            var slaAt: String
            var products: [String]
            enum CodingKeys: String, CodingKey {
                case event, kind, store, customer, phone, email, title, detail, assignee, products
                case touchID = "touch_id"
                case dueAt = "due_at"
                case slaAt = "sla_at"
            }
        }
        let c = t.customer
        let payload = Payload(
            touchID: t.touchID, kind: t.kind, store: t.store, customer: "\(c.firstName) \(c.lastName)", phone: c.phone, email: c.email,
            title: t.task.title, detail: t.task.detail, assignee: t.assignee, dueAt: Instant.iso8601(t.task.dueAt),
            slaAt: Instant.iso8601(t.task.slaAt), products: t.products)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(payload)).map { String(decoding: $0, as: UTF8.self) }
    }
}
