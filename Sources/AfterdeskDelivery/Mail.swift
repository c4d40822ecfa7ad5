import AfterdeskCore
import Foundation

/// Builds RFC 5322 / MIME messages: UTF-8 parts in base64, RFC 2047 encoded subjects and names, CRLF line ends.
public enum MIME {
    public struct Part: Sendable, Equatable {
        public var contentType: String
        public var body: String
        public var fileName: String?
        public init(contentType: String, body: String, fileName: String? = nil) {
            self.contentType = contentType
            self.body = body
            self.fileName = fileName
        }
    }

    /// A header value as RFC 2047 encoded words when it is not plain ASCII.
    public static func encodedWord(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 32 && $0 < 127 }) { return text }
        // Encoded words are at most 75 characters: split the UTF-8 bytes at character boundaries, 45 bytes a word.
        var words: [String] = []
        var chunk: [UInt8] = []
        for ch in text {
            let bytes = Array(String(ch).utf8)
            if chunk.count + bytes.count > 45 {
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(word(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    static func word(_ bytes: [UInt8]) -> String { "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?=" }

    /// `Name <address>` with the name encoded when needed.
    public static func mailbox(_ text: String) -> String {
        guard let open = text.lastIndex(of: "<"), text.hasSuffix(">") else { return text }
        let name = text[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        let address = text[open...]
        if name.isEmpty { return String(address) }
        let encoded = encodedWord(name)
        return (encoded == name ? "\"\(name.replacingOccurrences(of: "\"", with: ""))\"" : encoded) + " " + address
    }

    /// The bare address of `Name <address>`.
    public static func address(_ text: String) -> String {
        guard let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close else {
            return text.trimmingCharacters(in: .whitespaces)
        }
        return String(text[text.index(after: open)..<close])
    }

    /// `text`'s UTF-8 in base64, in lines of 76 characters each ended by CRLF (RFC 2045 §6.8), cut byte by byte
    /// (base64 is ASCII: counting characters of a `String` walked each one as a grapheme).
    static func base64Lines(_ text: String) -> String {
        let b = [UInt8](Data(text.utf8).base64EncodedData())
        var out: [UInt8] = []
        out.reserveCapacity(b.count + (b.count / 76 + 1) * 2)
        var i = 0
        while i < b.count {
            let j = min(i + 76, b.count)
            out += b[i..<j]
            out += [13, 10]
            i = j
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 5322 date in UTC, e.g. `Sun, 22 Nov 2026 14:05:00 +0000` (written directly: a DateFormatter costs more
    /// than the rest of the message).
    public static func date(_ d: Date) -> String {
        let seconds = d.epochSeconds
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rem = seconds - days * 86_400
        let day = LocalDate(daysSinceEpoch: days)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(weekdays[((days % 7) + 7) % 7]), \(two(day.day)) \(months[day.month - 1]) \(day.year) "
            + "\(two(rem / 3600)):\(two(rem % 3600 / 60)):\(two(rem % 60)) +0000"
    }

    /// A whole message. `alternative`: the parts are the same content (text and HTML); else mixed (a text part and
    /// an attachment such as an ADF lead).
    public static func message(
        from: String, to: String, subject: String, messageID: String, date: Date,
        headers: [(String, String)] = [], parts: [Part], alternative: Bool
    ) -> String {
        var hasher = StableHasher()
        hasher.add(messageID)
        let boundary = "=_afterdesk_" + String(hasher.value, radix: 36)
        var m = ""
        m += "From: \(mailbox(from))\r\n"
        m += "To: \(mailbox(to))\r\n"
        m += "Subject: \(encodedWord(subject))\r\n"
        m += "Date: \(Self.date(date))\r\n"
        m += "Message-ID: <\(messageID)>\r\n"
        for (k, v) in headers { m += "\(k): \(v)\r\n" }
        m += "MIME-Version: 1.0\r\n"
        m += "Content-Type: multipart/\(alternative ? "alternative" : "mixed"); boundary=\"\(boundary)\"\r\n\r\n"
        m += "This is a multi-part message in MIME format.\r\n"
        for p in parts {
            m += "--\(boundary)\r\n"
            m += "Content-Type: \(p.contentType); charset=UTF-8\r\n"
            m += "Content-Transfer-Encoding: base64\r\n"
            if let f = p.fileName { m += "Content-Disposition: attachment; filename=\"\(f)\"\r\n" }
            m += "\r\n" + base64Lines(p.body)
        }
        m += "--\(boundary)--\r\n"
        return m
    }
}

/// An ADF 1.0 lead (the auto industry's lead XML, `../shared/reference/adf-1.0.dtd`) for a task, emailed to the
/// dealership CRM's lead address.
public struct ADFLead: Sendable, Equatable {
    public var id: String
    public var requestDate: Date
    public var vehicleYear: Int
    public var vehicleMake: String
    public var vehicleModel: String
    public var vin: String?
    public var vehicleIsNew: Bool
    public var firstName: String
    public var lastName: String
    public var email: String?
    public var phone: String?
    public var comments: String
    public var dealershipName: String
    public var dealershipPhone: String?
    public var dealershipEmail: String?
    public var assignee: String?

    public init(
        id: String, requestDate: Date, vehicleYear: Int, vehicleMake: String, vehicleModel: String, vin: String?, vehicleIsNew: Bool,
        firstName: String, lastName: String, email: String?, phone: String?, comments: String, dealershipName: String,
        dealershipPhone: String?, dealershipEmail: String?, assignee: String?
    ) {
        self.id = id
        self.requestDate = requestDate
        self.vehicleYear = vehicleYear
        self.vehicleMake = vehicleMake
        self.vehicleModel = vehicleModel
        self.vin = vin
        self.vehicleIsNew = vehicleIsNew
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phone = phone
        self.comments = comments
        self.dealershipName = dealershipName
        self.dealershipPhone = dealershipPhone
        self.dealershipEmail = dealershipEmail
        self.assignee = assignee
    }

    /// Text escaped for XML and HTML.
    public static func esc(_ s: String) -> String {
        var o = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            default:
                // XML 1.0 forbids most control characters.
                if ch.value < 0x20 && ch != "\n" && ch != "\t" && ch != "\r" { continue }
                o.unicodeScalars.append(ch)
            }
        }
        return o
    }

    /// The XML, starting `<?xml version="1.0" encoding="UTF-8"?><?adf version="1.0"?>` as CRMs expect.
    public var xml: String {
        let date = ISO8601DateFormatter().string(from: requestDate)
        func contact(_ names: [(String, String)], email: String?, phone: String?) -> String {
            var c = "<contact>"
            for (part, n) in names { c += "<name part=\"\(part)\">\(Self.esc(n))</name>" }
            if let email { c += "<email>\(Self.esc(email))</email>" }
            if let phone { c += "<phone type=\"voice\">\(Self.esc(phone))</phone>" }
            return c + "</contact>"
        }
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><?adf version=\"1.0\"?>\n<adf>\n<prospect status=\"new\">\n"
        x += "<id sequence=\"1\" source=\"Afterdesk\">\(Self.esc(id))</id>\n"
        x += "<requestdate>\(date)</requestdate>\n"
        x += "<vehicle interest=\"buy\" status=\"\(vehicleIsNew ? "new" : "used")\"><year>\(vehicleYear)</year>"
        x += "<make>\(Self.esc(vehicleMake))</make><model>\(Self.esc(vehicleModel))</model>"
        if let vin { x += "<vin>\(Self.esc(vin))</vin>" }
        x += "</vehicle>\n"
        x += "<customer>" + contact([("first", firstName), ("last", lastName)], email: email, phone: phone)
        x += "<comments>\(Self.esc(comments))</comments></customer>\n"
        var vendorContact = [("full", assignee ?? dealershipName)]
        if assignee != nil { vendorContact.append(("full", dealershipName)) }
        let vendorPhone = dealershipPhone ?? (dealershipEmail == nil ? "unknown" : nil)
        x +=
            "<vendor><vendorname>\(Self.esc(dealershipName))</vendorname>"
            + contact(vendorContact, email: vendorPhone == nil ? dealershipEmail : nil, phone: vendorPhone) + "</vendor>\n"
        x += "<provider><name part=\"full\">Afterdesk</name><service>F&amp;I follow-up</service></provider>\n"
        x += "</prospect>\n</adf>\n"
        return x
    }
}
