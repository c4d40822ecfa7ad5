#!/usr/bin/env python3
"""A local server speaking the part of Twilio's Messages API Afterdesk uses, for tests.

POST /2010-04-01/Accounts/{sid}/Messages.json  (form: To, From, Body, StatusCallback; basic auth)
GET  /2010-04-01/Accounts/{sid}/Messages.json?To=&From=&DateSent>=
Every accepted message is appended as one JSON line to the log file. Prints the port it listens on, then serves
until stdin closes (so it stops with the test that started it).

  fake_twilio.py LOG_FILE ACCOUNT_SID AUTH_TOKEN [--delay SECONDS] [--fail-first N] [--status CODE] [--reject-to]
                 [--keep-alive] [--connections FILE]

--reject-to refuses every number as Twilio does, quoting it: "The 'To' number +1… is not a valid phone number."
--keep-alive answers HTTP/1.1 and keeps connections open, as the real API does (default: HTTP/1.0, one request each).
--connections FILE writes the number of connections accepted to FILE when the server stops (the benchmark's count).
"""
import base64, json, sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log_path, account, token = sys.argv[1], sys.argv[2], sys.argv[3]
args = sys.argv[4:]
delay = float(args[args.index("--delay") + 1]) if "--delay" in args else 0.0
fail_first = int(args[args.index("--fail-first") + 1]) if "--fail-first" in args else 0
fail_status = int(args[args.index("--status") + 1]) if "--status" in args else 500
lock = threading.Lock()
messages = []
by_key = {}
failures = [0]
connections = [0]


class Handler(BaseHTTPRequestHandler):
    if "--keep-alive" in args:
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without this, Nagle holds the body for the client's delayed ACK.
        disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def setup(self):
        with lock:
            connections[0] += 1
        super().setup()

    def answer(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authorized(self):
        expected = "Basic " + base64.b64encode(f"{account}:{token}".encode()).decode()
        return self.headers.get("Authorization") == expected

    def path_ok(self):
        return urllib.parse.urlparse(self.path).path == f"/2010-04-01/Accounts/{account}/Messages.json"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length).decode()
        if not self.path_ok():
            return self.answer(404, {"code": 20404, "message": "not found"})
        if not self.authorized():
            return self.answer(401, {"code": 20003, "message": "Authenticate"})
        form = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
        if self.headers.get("Content-Type", "").split(";")[0] != "application/x-www-form-urlencoded":
            return self.answer(400, {"code": 400, "message": "form expected"})
        for field in ("To", "From", "Body"):
            if not form.get(field):
                return self.answer(400, {"code": 21604, "message": f"A '{field}' is required"})
        if "--reject-to" in args:
            return self.answer(400, {"code": 21211, "message": f"The 'To' number {form['To']} is not a valid phone number."})
        with lock:
            if failures[0] < fail_first:
                failures[0] += 1
                return self.answer(fail_status, {"code": fail_status, "message": "simulated failure"})
        if delay:
            time.sleep(delay)
        key = self.headers.get("I-Twilio-Idempotency-Token")
        with lock:
            if key and key in by_key:
                # A send repeated under a key already sent: the provider answers with the first message, and sends
                # nothing; logged beside (LOG_FILE.repeats), for the tests that must see none.
                with open(log_path + ".repeats", "a") as f:
                    f.write(json.dumps({"key": key, "to": form["To"]}) + "\n")
                return self.answer(201, by_key[key])
            sid = "SM%032d" % (len(messages) + 1)
            msg = {"sid": sid, "to": form["To"], "from": form["From"], "body": form["Body"], "status": "queued",
                   "status_callback": form.get("StatusCallback"), "date_created": time.strftime("%Y-%m-%d"), "key": key}
            messages.append(msg)
            if key:
                by_key[key] = msg
            with open(log_path, "a") as f:
                f.write(json.dumps(msg) + "\n")
                f.flush()
        self.answer(201, msg)

    def do_GET(self):
        if not self.path_ok():
            return self.answer(404, {"code": 20404, "message": "not found"})
        if not self.authorized():
            return self.answer(401, {"code": 20003, "message": "Authenticate"})
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(self.path).query))
        with lock:
            found = [m for m in messages if (not q.get("To") or m["to"] == q["To"]) and (not q.get("From") or m["from"] == q["From"])]
        self.answer(200, {"messages": found})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
server.shutdown()
if "--connections" in args:
    with open(args[args.index("--connections") + 1], "w") as f:
        f.write(f"{connections[0]}\n")
