#!/usr/bin/env python3
"""Issue 24's end-to-end check of the opt-out ledger, through the real binary and a live `afterdesk serve`.

    optout_e2e.py BIN WORK PORT BODY

In a fresh database under WORK: import a deal with SMS consent, plan (SMS touches are planned), start `serve` and
send it a signed inbound text BODY from the customer's number, import a changed re-export of the same deal with
consent_sms = Y, then a new deal for the same customer with consent_sms = Y, re-plan, and `run --dry-run` at every
moment a touch is due: no SMS may be planned or sent to that number, and `explain` says who stopped it. Every step
goes through the binary or HTTP; the clock is fixed with AFTERDESK_NOW. Exit 0 when every check holds.
"""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request

BIN, WORK, PORT, BODY = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
DB = os.path.join(WORK, "optout.sqlite")
TOKEN = "e2e-sms-auth-token"
BASE = f"http://127.0.0.1:{PORT}"
NOW = "2026-12-01T16:00:00Z"
PHONE = "+15125550142"
ENV = dict(os.environ, AFTERDESK_NOW=NOW, AFTERDESK_DB=DB, AFTERDESK_SMS_AUTH_TOKEN=TOKEN, AFTERDESK_PUBLIC_URL=BASE)
failures = []

HEADER = (
    "deal_number,store,contract_date,delivery_date,deal_type,buyer_first_name,buyer_last_name,buyer_email,buyer_phone,"
    "buyer_state,buyer_zip,consent_sms,consent_email,consent_phone,customer_number,vin,vehicle_year,vehicle_make,vehicle_model,"
    "vehicle_condition,odometer,selling_price,vehicle_value,amount_financed,apr,term_months,first_payment_date,"
    "vsc_outcome,vsc_price,gap_outcome,gap_price,tire_wheel_outcome,tire_wheel_price,appearance_outcome,appearance_price,"
    "maintenance_outcome,maintenance_price"
)


def deal(number, date, vin, odometer, consent_sms="Y"):
    return (
        f"{number},main,{date},{date},finance,Maria,Lopez,,(512) 555-0142,TX,78701,{consent_sms},N,Y,C-1,{vin},2026,Toyota,"
        f"Camry,new,{odometer},31250.00,29000.00,34500.00,6.9,72,2027-01-05,declined,2295.00,declined,895.00,declined,799.00,"
        f"declined,649.00,declined,699.00"
    )


def write(name, rows):
    path = os.path.join(WORK, name)
    with open(path, "w") as f:
        f.write(HEADER + "\n" + "\n".join(rows) + "\n")
    return path


def cli(*args, check=True):
    r = subprocess.run([BIN, *args], env=ENV, capture_output=True, text=True, timeout=300)
    if check and r.returncode != 0:
        raise SystemExit(f"FAIL: afterdesk {' '.join(args)} exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def sms_touches(deal_number):
    out = json.loads(cli("plan", "--deal", deal_number, "--limit", "500", "--json"))
    return [t for t in out["touches"] if t["action"] == "sms"], out["touches"]


def inbound(body, sid):
    params = {"From": PHONE, "To": "+15125550100", "Body": body, "MessageSid": sid, "AccountSid": "ACe2e"}
    url = BASE + "/webhooks/sms"
    signed = url + "".join(k + v for k, v in sorted(params.items()))
    signature = base64.b64encode(hmac.new(TOKEN.encode(), signed.encode(), hashlib.sha1).digest()).decode()
    req = urllib.request.Request(
        url, data=urllib.parse.urlencode(params).encode(), method="POST",
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.read().decode()


def main():
    cli("import", write("deals-1.csv", [deal("E-20001", "2026-11-20", "4T1B11HK7RU000001", 12)]))
    before, _ = sms_touches("E-20001")
    if not before:
        raise SystemExit("FAIL: the first plan has no SMS touch to stop (the deal may be held out): the test proves nothing")
    check(True, f"before the STOP: {len(before)} SMS touches planned")

    server = subprocess.Popen(
        [BIN, "serve", "--host", "127.0.0.1", "--port", str(PORT), "--every", "3600"], env=ENV,
        stdout=open(os.path.join(WORK, "serve.log"), "w"), stderr=subprocess.STDOUT)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(BASE + "/health", timeout=2)
                break
            except Exception:
                time.sleep(0.2)
        if server.poll() is not None:
            raise SystemExit("FAIL: afterdesk serve did not start")
        status, reply = inbound(BODY, "SMe2e0000000000000000000000000001")
        check(status == 200 and "unsubscribed" in reply, f"the signed inbound text {BODY!r} is answered as an opt-out")

        # A changed re-export of the same deal with consent_sms = Y, then a new deal for the same customer.
        cli("import", write("deals-2.csv", [deal("E-20001", "2026-11-20", "4T1B11HK7RU000001", 40)]))
        cli("import", write("deals-3.csv", [deal("E-20002", "2026-11-28", "1HGCM82633A004352", 8)]))
    finally:
        server.terminate()
        server.wait(timeout=30)

    touches = []
    for number in ("E-20001", "E-20002"):
        sms, all_touches = sms_touches(number)
        touches += all_touches
        check(not sms, f"after the re-exports and the re-plan: no SMS planned for {number} ({len(sms)} found)")
    moments = sorted({t["due_at"] for t in touches} | {t["due_at"] for t in before})
    sent = []
    for at in moments:
        out = json.loads(cli("run", "--dry-run", "--json", "--now", at))
        sent += [d for d in out["decisions"] if d["action"] == "sms" and d["result"] == "send"]
    check(not sent, f"run --dry-run at {len(moments)} due moments: no SMS would be sent ({len(sent)} would)")
    explained = cli("explain", "E-20002")
    check("SMS stopped on 2026-12-01 by the customer" in explained, "explain says who stopped SMS and when")
    ledger = cli("opt-outs", "show", "(512) 555-0142")
    check("stopped" in ledger and "SMe2e" in ledger, "opt-outs show lists the STOP with its message id")
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)


main()
