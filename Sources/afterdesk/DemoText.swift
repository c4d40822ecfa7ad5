import AfterdeskCore
import AfterdeskDelivery
import AfterdeskDemo
import AfterdeskStorage
import Foundation

/// What `afterdesk demo` prints of the year: the imports, the capture, the plan, the dispatch.
enum DemoReportText {
    static func render(_ r: DemoRun.Report) -> String {
        let span =
            r.goLive == r.today
            ? "today" : "on \(r.goLive), \(r.today.daysSinceEpoch - r.goLive.daysSinceEpoch) days before today (\(r.today))"
        var out = "The store went live \(span); the simulation ran day by day from then to today.\n\n"
        out += "1. The DMS exports, each imported the morning it arrived (every Monday) and its customers planned at once; "
        out += "the F&I manager's after-sale contracts and cancellations imported the same mornings:\n"
        let rows = r.months.map { m in
            [
                m.month, m.exports.grouped, m.newDeals.grouped, m.refused.grouped, m.unwinds.grouped, m.touchesPlanned.grouped,
                m.contracts.grouped, m.cancellations.grouped,
            ]
        }
        out +=
            indent(
                Table.render(
                    header: ["month", "exports", "new deals", "refused rows", "unwound", "touches planned", "after-sale", "cancelled"],
                    rows: rows)) + "\n"
        let i = r.imported
        out +=
            "  \(r.exports.grouped) exports: \(i.inserted.grouped) deals, \(i.rejected.grouped) rows refused, \(i.unwinds.grouped) deals "
            + "unwound in a later export; \(r.contracts.grouped) after-sale contracts and \(r.cancellations.grouped) cancellations.\n"
        if !i.rejects.isEmpty {
            out += "  Refused rows (fix them and import the file again; the good rows are already in):\n"
            for x in i.rejects.prefix(5) {
                out += "    \((x.file as NSString).lastPathComponent):\(x.line)  \(x.field) = \"\(x.value)\": \(x.error)\n"
            }
            if i.rejected > min(5, i.rejects.count) { out += "    … and \((i.rejected - min(5, i.rejects.count)).grouped) more\n" }
        }
        if let a = r.again, let file = r.againFile {
            out +=
                "  The last export (\((file as NSString).lastPathComponent)), imported again: \(a.read.grouped) rows, \(a.inserted.grouped) new, "
                + "\(a.updated.grouped) updated, \(a.unchanged.grouped) unchanged — nothing changes.\n"
        }
        return out + capture(r)
    }

    /// The capture, the plan as of today and a few deals explained.
    static func capture(_ r: DemoRun.Report) -> String {
        let c = r.capture
        let declined = c.products.reduce(0) { $0 + $1.declined }
        var out =
            "  The year as one file, as the DMS has it today: \(r.dealsFile).\n\n2. Capture: \(c.deals.grouped) deals stored "
            + "(\(c.unwound.grouped) unwound), \(c.customers.grouped) customers, \(declined.grouped) declined products.\n"
        out +=
            indent(
                Table.render(
                    header: ["product", "sold at the desk", "declined", "quoted value of declines"],
                    rows: c.products.map {
                        [$0.code, $0.sold.grouped, $0.declined.grouped, $0.declinedQuoted.formatted]
                    })) + "\n"
        let p = r.planned
        out +=
            "\n3. Planning as of today: \(p.customers.grouped) customers, \(p.declines.grouped) declined products still followed up or "
            + "held out (\(p.holdout.grouped) held out to measure against). \(p.touches.grouped) touches still to come — \(p.sms.grouped) SMS, "
            + "\(p.email.grouped) email, \(p.tasks.grouped) calls by a person; \(p.dropped.grouped) not planned because the window "
            + "to buy had closed, they were already past, or the 3-in-30-days limit left no room.\n"
        if !r.explained.isEmpty {
            out += "\nHow the follow-up of a few recent deals is timed:\n"
            for e in r.explained { out += "\n" + indent(ExplainText.render(e)) + "\n" }
        }
        out += "\nLook around:\n"
        out += "  swift run afterdesk deals --db \(r.databasePath)\n"
        if let d = r.sampleDeal {
            out += "  swift run afterdesk deals show \(d) --db \(r.databasePath)\n"
            out += "  swift run afterdesk explain \(d) --db \(r.databasePath)\n"
        }
        out += "  swift run afterdesk plan --db \(r.databasePath) --limit 20"
        return out
    }

    /// The simulated days of dispatch, by month.
    static func render(
        _ r: DemoDispatch.Result, report: DemoRun.Report, recording: RecordingChannels, database db: any Storage
    ) async throws -> String {
        var out =
            "\n4. Dispatch, day by day from \(report.goLive) to yesterday, at 8:00 and every hour to 20:00 (Chicago) when a touch "
            + "is due — through RECORDING channels, nothing leaves this machine. Customers' replies and staff outcomes are SIMULATED.\n"
        var months: [(String, DispatchSummary)] = []
        for d in r.days {
            let key = String(d.date.description.prefix(7))
            if months.last?.0 != key { months.append((key, DispatchSummary())) }
            months[months.count - 1].1.add(d.summary)
        }
        let rows = months.map { m, s in [m, s.sms.grouped, s.email.grouped, s.tasks.grouped, s.moved.grouped, s.skipped.grouped] }
        out += indent(Table.render(header: ["month", "SMS", "email", "tasks", "moved", "skipped"], rows: rows)) + "\n"
        let t = r.total
        out +=
            "  Sent: \(t.sms.grouped) SMS and \(t.email.grouped) emails to customers, \(t.tasks.grouped) tasks for staff; "
            + "\(t.moved.grouped) moved by the compliance gate (contact hours, caps; \(t.movedByStateRules.grouped) by a state's rule), "
            + "\(t.skipped.grouped) skipped (consent, window closed, bought).\n"
        out +=
            "  Simulated customers: \(r.stops.grouped) texted STOP (every pending SMS to them cancelled at once), "
            + "\(r.replies.grouped) replied (each a task for a person).\n"
        let open = try await db.taskCounts(now: CommandClock.now())
        let replies = try await db.tasks(status: .done, limit: 10_000_000, now: CommandClock.now()).filter { $0.kind == .reply }.count
        out +=
            "  Simulated staff: \(r.tasksDone.grouped) tasks done (\(r.onTime.grouped) within their SLA): \((r.tasksDone - replies).grouped) "
            + "from the plan and \(replies.grouped) answering a customer's text — \(r.sold.grouped) sold "
            + "(\(r.soldValue.formatted), each product at its price of the day), \(r.notInterested.grouped) not interested, "
            + "\(r.noAnswer.grouped) no answer; \(open.open.grouped) open today (\(open.overdue.grouped) overdue).\n"
        var byChannel: [OutboxChannel: Int] = [:]
        for m in try await db.outbox(limit: 10_000_000) where m.status == .sent || m.status == .delivered {
            byChannel[m.channel, default: 0] += 1
        }
        out +=
            "  Outbox: \(byChannel[.sms, default: 0].grouped) SMS and \(byChannel[.email, default: 0].grouped) emails sent to "
            + "customers; besides them, \(byChannel[.crmLead, default: 0].grouped) ADF leads sent to the CRM (one per task).\n"
        if let sms = recording.sms.first {
            out += "\n  An SMS as sent (to \(String(sms.to.prefix(5)))•••••••):\n    \(sms.body)\n"
        }
        if let email = recording.emails.first(where: { !$0.recipients.contains("leads@crm.example") }),
            let subject = email.data.split(separator: "\r\n").first(where: { $0.hasPrefix("Subject: ") })
        {
            out += "\n  An email as sent: \(subject) (multipart text and HTML, List-Unsubscribe, the store's address)\n"
        }
        return out
    }

    static func indent(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }
}
