import AfterdeskCore
import AfterdeskDelivery
import AfterdeskTestSupport
import Foundation
import Testing

@Suite struct SignatureTests {
    @Test func twilioSignatureMatchesTheDocumentedExample() {
        let params = [
            ("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675309"), ("Digits", "1234"), ("From", "+14158675309"),
            ("To", "+18005551212"),
        ]
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2"
        #expect(Signatures.twilio(url: url, parameters: params, authToken: "12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        #expect(
            Signatures.verifyTwilio(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: url, parameters: params.reversed(), authToken: "12345"))
        #expect(!Signatures.verifyTwilio(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: url, parameters: params, authToken: "12346"))
        #expect(
            !Signatures.verifyTwilio(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: url + "&x=1", parameters: params, authToken: "12345"))
    }

    @Test func unsubscribeTokensAreBoundToTheCustomer() {
        let t = Signatures.unsubscribeToken(customerID: 42, secret: "s3cret")
        #expect(Signatures.verifyUnsubscribe(token: t, customerID: 42, secret: "s3cret"))
        #expect(!Signatures.verifyUnsubscribe(token: t, customerID: 43, secret: "s3cret"))
        #expect(!Signatures.verifyUnsubscribe(token: t, customerID: 42, secret: "other"))
        #expect(!t.contains("+") && !t.contains("/") && !t.contains("="))
    }

    @Test func webhookSignature() {
        // HMAC-SHA256("secret", "1700000000.{}") computed independently with Python's hmac module.
        #expect(webhookReference.count == 64)
        #expect(
            Signatures.webhook(body: Data("{}".utf8), secret: "secret", timestamp: 1_700_000_000) == "t=1700000000,v1=" + webhookReference)
    }
}

/// Computed with: python3 -c 'import hmac,hashlib;print(hmac.new(b"secret",b"1700000000.{}",hashlib.sha256).hexdigest())'
let webhookReference: String = {
    (try? shell(["python3", "-c", "import hmac,hashlib;print(hmac.new(b'secret',b'1700000000.{}',hashlib.sha256).hexdigest())"]).output
        .trimmingCharacters(in: .whitespacesAndNewlines)) ?? ""
}()

@Suite struct MIMETests {
    @Test func encodedWordsOnlyWhenNeeded() {
        #expect(MIME.encodedWord("Plain subject") == "Plain subject")
        let w = MIME.encodedWord("Garantía de fábrica — ¡último aviso!")
        #expect(w.hasPrefix("=?UTF-8?B?"))
        #expect(w.split(separator: "\r\n").allSatisfy { $0.trimmingCharacters(in: .whitespaces).count <= 75 })
        #expect(MIME.mailbox("José Ruiz <j@x.example>").hasPrefix("=?UTF-8?B?"))
        #expect(MIME.mailbox("Lakeside Motors <s@x.example>") == "\"Lakeside Motors\" <s@x.example>")
        #expect(MIME.address("Lakeside Motors <s@x.example>") == "s@x.example")
    }
}

@Suite(.serialized) struct LiveChannelTests {
    func parse(_ eml: URL) throws -> [String: String] {
        // Python's email package reads the message as a receiving client would.
        let script = """
            import email, email.policy, json, sys
            m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
            out = {'subject': str(m['subject']), 'from': str(m['from']), 'to': str(m['to']), 'unsub': str(m['List-Unsubscribe']),
                   'unsub_post': str(m['List-Unsubscribe-Post']), 'message_id': str(m['Message-ID']), 'type': m.get_content_type(),
                   'defects': str(len(m.defects))}
            for p in m.iter_parts():
                c = p.get_content()
                out[p.get_content_type()] = c.decode('utf-8') if isinstance(c, bytes) else c
                if p.get_filename(): out['filename'] = p.get_filename()
            print(json.dumps(out))
            """
        let r = try shell(["python3", "-c", script, eml.path])
        let data = Data(r.output.utf8)
        return try JSONDecoder().decode([String: String].self, from: data)
    }

    @Test func smtpWithLoginDeliversMultipartMail() async throws {
        let dir = temporaryDirectory()
        let server = try LocalServer(script: "smtp_sink.py", arguments: [dir.path, "--user", "afterdesk", "--password", "pw"])
        defer { server.stop() }
        let channel = SMTPEmailChannel(url: "smtp://127.0.0.1:\(server.port)", user: "afterdesk", password: "pw")
        let data = MIME.message(
            from: "Lakeside Motors <service@lakeside.example>", to: "maria@example.com",
            subject: "Su garantía termina pronto", messageID: "touch-7-email@afterdesk", date: Date(timeIntervalSince1970: 1_790_000_000),
            headers: [
                ("List-Unsubscribe", "<https://a.example/unsubscribe?c=1&t=x>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ],
            parts: [
                .init(contentType: "text/plain", body: "Hola María — texto"), .init(contentType: "text/html", body: "<p>Hola María</p>"),
            ],
            alternative: true)
        try await channel.send(EmailEnvelope(from: "service@lakeside.example", recipients: ["maria@example.com"], data: data))
        let envelope = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("0001.json"))) as! [String: Any]
        #expect(envelope["from"] as? String == "service@lakeside.example")
        #expect(envelope["to"] as? [String] == ["maria@example.com"])
        #expect(envelope["login"] as? String == "afterdesk")
        let m = try parse(dir.appendingPathComponent("0001.eml"))
        #expect(m["subject"] == "Su garantía termina pronto")
        #expect(m["type"] == "multipart/alternative")
        #expect(m["text/plain"]?.hasPrefix("Hola María — texto") == true)
        #expect(m["text/html"]?.contains("<p>Hola María</p>") == true)
        #expect(m["unsub"] == "<https://a.example/unsubscribe?c=1&t=x>")
        #expect(m["unsub_post"] == "List-Unsubscribe=One-Click")
        #expect(m["message_id"] == "<touch-7-email@afterdesk>")
        #expect(m["defects"] == "0")
    }

    /// A certificate for 127.0.0.1 from a throwaway authority: the server's certificate and key, and the CA to trust.
    func privateCA(_ dir: URL) throws -> (cert: String, key: String, ca: String) {
        let p = { (name: String) in dir.appendingPathComponent(name).path }
        for args in [
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p("ca.key"), "-out", p("ca.pem"), "-days", "2",
                "-subj", "/CN=Afterdesk test CA",
            ],
            [
                "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", p("server.key"), "-out", p("server.csr"), "-subj",
                "/CN=127.0.0.1",
            ],
        ] { #expect(try shell(args).status == 0) }
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: p("san.ext"), atomically: true, encoding: .utf8)
        let sign = try shell([
            "openssl", "x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
            "-CAcreateserial", "-out", p("server.pem"), "-days", "2", "-extfile", p("san.ext"),
        ])
        #expect(sign.status == 0, "\(sign.output)")
        return (p("server.pem"), p("server.key"), p("ca.pem"))
    }

    /// STARTTLS (smtp://) and TLS from the start (smtps://), with login, against a server whose certificate comes
    /// from a private authority: trusted through `smtp_ca_file`, refused without it (the certificate is verified).
    @Test(arguments: ["starttls", "tls"]) func smtpOverTLSVerifiesTheServer(mode: String) async throws {
        let dir = temporaryDirectory()
        let pki = try privateCA(dir)
        let mail = dir.appendingPathComponent("mail")
        let server = try LocalServer(
            script: "smtp_sink.py",
            arguments: [
                mail.path, "--user", "afterdesk", "--password", "pw",
                "--\(mode)", pki.cert, pki.key,
            ])
        defer { server.stop() }
        let url = "\(mode == "tls" ? "smtps" : "smtp")://127.0.0.1:\(server.port)"
        let envelope = EmailEnvelope(
            from: "service@lakeside.example", recipients: ["maria@example.com"],
            data: "Subject: over TLS\r\n\r\nHola\r\n")
        await #expect(throws: ChannelError.self) {
            try await SMTPEmailChannel(url: url, user: "afterdesk", password: "pw").send(envelope)
        }
        #expect(!FileManager.default.fileExists(atPath: mail.appendingPathComponent("0001.eml").path))
        try await SMTPEmailChannel(url: url, user: "afterdesk", password: "pw", caFile: pki.ca).send(envelope)
        let received = try JSONSerialization.jsonObject(with: Data(contentsOf: mail.appendingPathComponent("0001.json"))) as! [String: Any]
        #expect(received["tls"] as? Bool == true && received["login"] as? String == "afterdesk")
        #expect(try String(contentsOf: mail.appendingPathComponent("0001.eml"), encoding: .utf8).contains("Hola"))
    }

    @Test func smtpRefusesAWrongPassword() async throws {
        let dir = temporaryDirectory()
        let server = try LocalServer(script: "smtp_sink.py", arguments: [dir.path, "--user", "afterdesk", "--password", "pw"])
        defer { server.stop() }
        let channel = SMTPEmailChannel(url: "smtp://127.0.0.1:\(server.port)", user: "afterdesk", password: "wrong")
        await #expect(throws: ChannelError.self) {
            try await channel.send(EmailEnvelope(from: "a@b.example", recipients: ["c@d.example"], data: "Subject: x\r\n\r\nx\r\n"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("0001.eml").path))
    }

    @Test func adfLeadIsValidAgainstTheDTDAndTravelsAsXML() async throws {
        let lead = ADFLead(
            id: "afterdesk-touch-12", requestDate: Date(timeIntervalSince1970: 1_790_000_000), vehicleYear: 2024, vehicleMake: "Toyota",
            vehicleModel: "RAV4 <XLE> & more", vin: nil, vehicleIsNew: true, firstName: "María", lastName: "O'Brien",
            email: nil, phone: "+15125550142", comments: "Call about Vehicle Service Contract\nwarranty ends 2027-03-14",
            dealershipName: "Lakeside Motors", dealershipPhone: nil, dealershipEmail: "service@lakeside.example", assignee: "Jordan Smith")
        #expect(lead.xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?><?adf version=\"1.0\"?>"))
        let file = temporaryDirectory().appendingPathComponent("lead.xml")
        try lead.xml.write(to: file, atomically: true, encoding: .utf8)
        let dtd = repositoryRoot.appendingPathComponent("Tests/Support/adf-1.0.dtd").path
        let check = try shell(["xmllint", "--noout", "--dtdvalid", dtd, file.path])
        #expect(check.status == 0, "\(check.output)")
        // A lead missing what the DTD requires is caught by the same check: the test can fail.
        let broken = lead.xml.replacingOccurrences(of: "<requestdate>", with: "<date>").replacingOccurrences(
            of: "</requestdate>", with: "</date>")
        try broken.write(to: file, atomically: true, encoding: .utf8)
        #expect(try shell(["xmllint", "--noout", "--dtdvalid", dtd, file.path]).status != 0)

        let dir = temporaryDirectory()
        let server = try LocalServer(script: "smtp_sink.py", arguments: [dir.path])
        defer { server.stop() }
        let data = MIME.message(
            from: "service@lakeside.example", to: "leads@crm.example", subject: "Afterdesk lead", messageID: "touch-12-crm_lead@afterdesk",
            date: Date(),
            parts: [
                .init(contentType: "text/plain", body: "Call María"),
                .init(contentType: "application/xml", body: lead.xml, fileName: "lead.xml"),
            ], alternative: false)
        try await SMTPEmailChannel(url: "smtp://127.0.0.1:\(server.port)", user: nil, password: nil)
            .send(EmailEnvelope(from: "service@lakeside.example", recipients: ["leads@crm.example"], data: data))
        let m = try parse(dir.appendingPathComponent("0001.eml"))
        #expect(m["type"] == "multipart/mixed")
        #expect(m["text/plain"]?.contains("Call María") == true)
        #expect(m["application/xml"]?.contains("<adf>") == true)
        #expect(m["filename"] == "lead.xml")
    }

    @Test func twilioCompatibleAPI() async throws {
        let dir = temporaryDirectory()
        let log = dir.appendingPathComponent("sms.jsonl")
        let server = try LocalServer(script: "fake_twilio.py", arguments: [log.path, "AC123", "tok"])
        defer { server.stop() }
        let base = "http://127.0.0.1:\(server.port)"
        let sms = TwilioSMSChannel(
            baseURL: base, accountSID: "AC123", authToken: "tok", from: "+15125550100",
            statusCallback: "https://afterdesk.example/webhooks/sms/status")
        let sid = try await sms.send(to: "+15125550142", body: "Hi Maria & co. Reply STOP to opt out.", idempotencyKey: "touch-1-sms")
        #expect(sid.hasPrefix("SM"))
        // The same idempotency key: the provider returns the message it has.
        #expect(try await sms.send(to: "+15125550142", body: "Hi Maria & co. Reply STOP to opt out.", idempotencyKey: "touch-1-sms") == sid)
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
        let sent = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        #expect(sent["body"] as? String == "Hi Maria & co. Reply STOP to opt out.")
        #expect(sent["from"] as? String == "+15125550100")
        #expect(sent["status_callback"] as? String == "https://afterdesk.example/webhooks/sms/status")
        #expect(try await sms.find(to: "+15125550142", body: "Hi Maria & co. Reply STOP to opt out.", since: Date()) == sid)
        #expect(try await sms.find(to: "+15125550142", body: "another", since: Date()) == nil)

        let badAuth = TwilioSMSChannel(baseURL: base, accountSID: "AC123", authToken: "nope", from: "+15125550100", statusCallback: nil)
        do {
            _ = try await badAuth.send(to: "+15125550142", body: "x", idempotencyKey: "k")
            Issue.record("sent with a bad token")
        } catch {
            #expect(error.permanent)
            #expect(error.message.contains("401"))
        }
    }

    @Test func providerOutagesAreTemporary() async throws {
        let dir = temporaryDirectory()
        let server = try LocalServer(
            script: "fake_twilio.py", arguments: [dir.appendingPathComponent("l").path, "AC1", "t", "--fail-first", "1", "--status", "503"])
        defer { server.stop() }
        let sms = TwilioSMSChannel(
            baseURL: "http://127.0.0.1:\(server.port)", accountSID: "AC1", authToken: "t", from: "+15125550100", statusCallback: nil)
        do {
            _ = try await sms.send(to: "+15125550142", body: "x", idempotencyKey: "k")
            Issue.record("no failure")
        } catch {
            #expect(!error.permanent)
        }
        #expect(try await sms.send(to: "+15125550142", body: "x", idempotencyKey: "k").hasPrefix("SM"))
        // Nobody listening: temporary too.
        let closed = TwilioSMSChannel(baseURL: "http://127.0.0.1:1", accountSID: "AC1", authToken: "t", from: "+1", statusCallback: nil)
        do {
            _ = try await closed.send(to: "+15125550142", body: "x", idempotencyKey: "k")
            Issue.record("no failure")
        } catch {
            #expect(!error.permanent)
        }
    }
}

@Suite struct MailDateTests {
    @Test func rfc5322DatesAgreeWithFoundation() {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        // Spread over 1970–2096, every weekday and month, with varied times of day.
        for i in 0..<500 {
            let d = Date(timeIntervalSince1970: Double(i) * 7_999_997.0 + Double(i % 86_400))
            #expect(MIME.date(d) == f.string(from: d))
        }
    }
}

@Suite(.serialized) struct WebhookChannelTests {
    @Test func postsJSONWithItsHeadersToARealEndpoint() async throws {
        let log = temporaryDirectory().appendingPathComponent("hooks.jsonl")
        let server = try LocalServer(script: "webhook_sink.py", arguments: [log.path])
        defer { server.stop() }
        let body = Data("{\"event\":\"task.created\",\"touch_id\":7}".utf8)
        let signature = Signatures.webhook(body: body, secret: "s", timestamp: 1_790_000_000)
        try await HTTPWebhookChannel().post(
            url: "http://127.0.0.1:\(server.port)/hooks/afterdesk", body: body,
            headers: [("X-Afterdesk-Signature", signature), ("X-Afterdesk-Delivery", "touch-7-webhook")])
        let line = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(line.count == 1)
        let got = try JSONSerialization.jsonObject(with: Data(line[0].utf8)) as! [String: Any]
        let headers = got["headers"] as! [String: String]
        #expect(got["path"] as? String == "/hooks/afterdesk")
        #expect(got["body"] as? String == String(decoding: body, as: UTF8.self))
        #expect(headers["content-type"] == "application/json")
        #expect(headers["x-afterdesk-signature"] == signature)
        #expect(headers["x-afterdesk-delivery"] == "touch-7-webhook")
    }

    @Test func refusalsAreFinalOnlyWhenTheEndpointSaysSo() async throws {
        for (status, permanent) in [(410, true), (503, false)] {
            let server = try LocalServer(
                script: "webhook_sink.py", arguments: [temporaryDirectory().appendingPathComponent("h").path, "\(status)"])
            defer { server.stop() }
            do {
                try await HTTPWebhookChannel().post(url: "http://127.0.0.1:\(server.port)/x", body: Data("{}".utf8), headers: [])
                Issue.record("a \(status) was taken for success")
            } catch {
                #expect(error.permanent == permanent, "\(status)")
            }
        }
    }
}
