import AfterdeskCore
import AfterdeskTestSupport
import Testing

@testable import AfterdeskDelivery

/// While the maker's free maintenance runs, the next service is not the customer's "first": the first-service messages
/// speak of where the free plan ends instead (issue 25, item 4).
@Suite struct FreeMaintenanceTemplateTests {
    @Test func theFirstServiceMessagesNameTheFreePlanWhileItRuns() throws {
        let templates = try MessageTemplates.load(directory: repositoryRoot.appendingPathComponent("templates").path, sample: sample)
        var facts = sample
        facts.freeMaintenanceEnds = facts.today.adding(days: 21)
        facts.freeMaintenanceName = "ToyotaCare"
        let sms = try #require(templates.renderSMS("maintenance-first-service", facts: facts))
        #expect(sms.contains("ToyotaCare on your 2024 Mercedes-Benz GLE 450 ends around November 23") && !sms.contains("first service"))
        #expect(SMSEncoding(sms).segments <= 2, "\(SMSEncoding(sms).units) characters")
        let email = try #require(templates.renderEmail("maintenance-first-service", facts: facts))
        #expect(email.subject.hasPrefix("ToyotaCare on your") && !email.text.contains("first scheduled service"))
        #expect(email.html.contains("ToyotaCare on your"))
        // Once it has ended the services have begun: the next one, never the "first".
        facts.freeMaintenanceEnds = facts.today
        let after = try #require(templates.renderSMS("maintenance-first-service", facts: facts))
        #expect(after.contains("next service is coming up") && !after.contains("first service") && !after.contains("ToyotaCare"))
        // A car sold new with no free plan: its first.
        facts.freeMaintenanceEnds = nil
        facts.firstService = true
        let first = try #require(templates.renderSMS("maintenance-first-service", facts: facts))
        #expect(first.contains("first service is coming up"))
    }
}
