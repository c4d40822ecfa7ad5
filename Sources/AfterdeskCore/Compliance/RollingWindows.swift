import Foundation

/// The one definition of the rolling limits, used by the planner and by the gate alike (docs/compliance.md):
///
/// - **one a day** and **3 in 30 days** count the customer's calendar days: a touch on day D counts against every
///   30-day window that contains D, that is through day D+29 whatever its hour, and the day D+30 is free;
/// - a state's **texts in 24 hours** (Florida, Oklahoma, Maryland: 3) counts instants: no 24-hour span, [t, t+24h),
///   holds more texts than the cap.
///
/// The planner checks a new touch against the ones it keeps, before and after it; the gate against those already
/// sent. Both call `refusal`.
public struct RollingWindows: Sendable, Equatable {
    public var perDay: Int
    public var per30Days: Int
    /// Texts in any 24 hours; nil when no state tied to the customer caps them.
    public var textsPer24Hours: Int?

    public init(perDay: Int = 1, per30Days: Int = 3, textsPer24Hours: Int? = nil) {
        self.perDay = max(1, perDay)
        self.per30Days = max(1, per30Days)
        self.textsPer24Hours = textsPer24Hours.map { max(1, $0) }
    }

    public enum Refusal: Sendable, Equatable {
        case perDay(Int)
        case per30Days(Int)
        case texts24Hours(Int)

        public var reason: String {
            switch self {
            case .perDay(let n): n == 1 ? "already contacted today (one touch a day)" : "already \(n) touches today (at most \(n) a day)"
            case .per30Days(let n): "at most \(n) touches in 30 days"
            case .texts24Hours(let n): "at most \(n) texts in 24 hours (state law)"
            }
        }
    }

    /// Why a touch on `day` (the customer's calendar) at `instant` would break a window, given the days of the touches
    /// kept (every channel) and the instants of the texts kept; nil when it fits. `isText`: the touch is a text.
    public func refusal(
        day: LocalDate, instant: Date, isText: Bool, keptDays: some Sequence<LocalDate>, keptTexts: some Sequence<Date>
    ) -> Refusal? {
        let d = day.daysSinceEpoch
        var sameDay = 0
        var nearCount = 0
        for k in keptDays {
            let kd = k.daysSinceEpoch
            if kd == d { sameDay += 1 }
            if kd > d - 30 && kd < d + 30 { nearCount += 1 }
        }
        if sameDay >= perDay { return .perDay(perDay) }
        // Fewer touches within 29 days either side than the cap cannot crowd any 30 days: no list needed (the planner
        // asks this for every touch of every customer).
        if nearCount >= per30Days {
            let near = keptDays.map(\.daysSinceEpoch).filter { $0 > d - 30 && $0 < d + 30 }
            if Self.crowded(near, d, span: 30, cap: per30Days) { return .per30Days(per30Days) }
        }
        if isText, let cap = textsPer24Hours {
            let t = instant.epochSeconds
            let close = keptTexts.map(\.epochSeconds).filter { $0 > t - 86_400 && $0 < t + 86_400 }
            if Self.crowded(close, t, span: 86_400, cap: cap) { return .texts24Hours(cap) }
        }
        return nil
    }

    /// True when `point` added to `others` puts more than `cap` of them in some half-open span of length `span`
    /// that contains `point`.
    static func crowded(_ others: [Int], _ point: Int, span: Int, cap: Int) -> Bool {
        guard others.count >= cap else { return false }
        let all = (others + [point]).sorted()
        var i = 0
        for j in all.indices {
            while all[j] - all[i] >= span { i += 1 }
            if j - i + 1 > cap && all[i] <= point && point <= all[j] { return true }
        }
        return false
    }

    /// The gate's next try after a refusal at `now` (on `today`, the customer's calendar), from the touches already
    /// made: the first day a day window frees, or the instant the oldest text counted leaves the 24 hours.
    public func nextRoom(
        after refusal: Refusal, now: Date, today: LocalDate, keptDays: [LocalDate], keptTexts: [Date], zone: TimeZone
    ) -> Date {
        switch refusal {
        case .texts24Hours(let cap):
            let recent = keptTexts.filter { $0 <= now && now.timeIntervalSince($0) < 86_400 }.sorted()
            let oldest = recent.count >= cap ? recent[recent.count - cap] : now
            return oldest.addingTimeInterval(86_400)
        case .perDay, .per30Days:
            var day = today.adding(days: 1)
            while day <= today.adding(days: 31) {
                let at = LocalClock.instant(on: day, minutes: 0, zone: zone)
                let r = self.refusal(day: day, instant: at, isText: false, keptDays: keptDays, keptTexts: [Date]())
                if r == nil { return at }
                day = day.adding(days: 1)
            }
            return LocalClock.instant(on: day, minutes: 0, zone: zone)
        }
    }
}
