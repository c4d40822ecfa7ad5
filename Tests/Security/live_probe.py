#!/usr/bin/env python3
"""Issue 23's attacks against a live `afterdesk serve` on a demo database (scripts/security-test.sh starts both).

Each check prints ok/FAIL; the exit code is the number of failures. Standard library only.
Usage: live_probe.py BASE_URL DATABASE AFTERDESK_BINARY ADMIN_TOKEN WORK_DIR
"""
import concurrent.futures
import http.client
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import uuid

BASE, DB, BIN, TOKEN, WORK = sys.argv[1:6]
HOST = urllib.parse.urlparse(BASE).hostname
PORT = urllib.parse.urlparse(BASE).port
failures = 0


def check(ok, what):
    global failures
    print(("ok: " if ok else "FAIL: ") + what, flush=True)
    if not ok:
        failures += 1


def request(method, path, body=None, headers=None, timeout=120):
    """One request on its own connection: (status, headers as a dict of lists, body bytes)."""
    c = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        h = {}
        for k, v in r.getheaders():
            h.setdefault(k.lower(), []).append(v)
        return r.status, h, r.read()
    finally:
        c.close()


def alive():
    try:
        return request("GET", "/health", timeout=10)[0] in (200, 503)
    except OSError:
        return False


def cookies_of(headers):
    jar = {}
    for v in headers.get("set-cookie", []):
        name, _, value = v.split(";")[0].partition("=")
        if value:
            jar[name] = value
    return jar


def cookie_header(jar):
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def login_form():
    status, h, body = request("GET", "/login")
    token = re.search(rb'name="csrf" value="([^"]+)"', body).group(1).decode()
    return cookies_of(h), token


def sign_in(user, password, next_path=None, form=None):
    jar, token = form or login_form()
    fields = {"username": user, "password": password, "csrf": token}
    if next_path is not None:
        fields["next"] = next_path
    return request(
        "POST", "/login", urllib.parse.urlencode(fields),
        {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin", "Cookie": cookie_header(jar)})


def signed_in(user, password):
    status, h, _ = sign_in(user, password)
    assert status == 303, f"{user} could not sign in: {status}"
    return cookies_of(h)


def bearer(token, content_type="application/json"):
    return {"Authorization": f"Bearer {token}", "Content-Type": content_type}


def nested_json(depth):
    """A deal whose products are `depth` nested arrays: the reader recursed once per level."""
    return ('[{"deal_number": "DEEP-1", "products": ' + "[" * depth + "]" * depth + "}]").encode()


def multipart(fields, file_name, file_bytes, boundary):
    parts = []
    for k, v in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        f'Content-Type: application/octet-stream\r\n\r\n'.encode() + file_bytes + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)


def csrf_of(jar, path):
    _, _, body = request("GET", path, headers={"Cookie": cookie_header(jar)})
    m = re.search(rb'name="csrf" value="([^"]+)"', body)
    return m.group(1).decode() if m else ""


def item1_deep_json():
    """One small JSON file of nested arrays killed the server (stack overflow)."""
    status, _, body = request("POST", "/api/v1/deals/import", nested_json(100_000), bearer(TOKEN))
    check(status == 422 and (b"deep" in body.lower() or b"nest" in body.lower()),
          f"item 1: 100,000 nested arrays posted to the API are refused (got {status}: {body[:160]!r})")
    check(alive(), "item 1: the server is still up after the API import")
    fi = signed_in("fi", "demo-fi-2026")
    token = csrf_of(fi, "/imports")
    boundary = uuid.uuid4().hex
    body = multipart([("csrf", token), ("profile", "canonical")], "deep.json", nested_json(100_000), boundary)
    status, h, _ = request("POST", "/imports", body, {
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Sec-Fetch-Site": "same-origin",
        "Cookie": cookie_header(fi)})
    page = h.get("location", [""])[0]
    for _ in range(100):
        _, _, shown = request("GET", page or "/imports", headers={"Cookie": cookie_header(fi)})
        if b"failed" in shown.lower() or b"refused" in shown.lower():
            break
        time.sleep(0.1)
    check(alive(), f"item 1: the server is still up after the same file uploaded on /imports (upload answered {status})")
    check(b"nest" in shown.lower() or b"deep" in shown.lower(),
          "item 1: the import page says the file is nested too deep")
    path = os.path.join(WORK, "deep.json")
    with open(path, "wb") as f:
        f.write(nested_json(5_000))
    run = subprocess.run([BIN, "import", path, "--db", DB], capture_output=True, text=True)
    check(run.returncode == 65 and "deep.json" in run.stderr and ("deep" in run.stderr[12:] or "nest" in run.stderr),
          f"item 1: afterdesk import of 5,000 nested arrays exits 65 naming the file (got {run.returncode}: {run.stderr.strip()[:160]})")


def item2_burst():
    """100 parallel wrong guesses, and the right password inside the burst."""
    db = sqlite3.connect(DB)
    before = db.execute("SELECT COUNT(*) FROM sign_in_attempts WHERE user_name = 'sales'").fetchone()[0]
    form = login_form()
    with concurrent.futures.ThreadPoolExecutor(max_workers=101) as pool:
        wrong = [pool.submit(sign_in, "sales", f"wrong guess {i}", None, form) for i in range(100)]
        time.sleep(0.2)
        right = pool.submit(sign_in, "sales", "demo-sales-2026", None, form)
        statuses = [f.result()[0] for f in wrong]
        right_status, right_headers, _ = right.result()
    checks = db.execute("SELECT COUNT(*) FROM sign_in_attempts WHERE user_name = 'sales'").fetchone()[0] - before
    check(checks <= 5, f"item 2: 100 parallel wrong guesses were checked {checks} times (at most 5); answers {sorted(set(statuses))}")
    check(right_status == 429 and "afterdesk_session" not in " ".join(right_headers.get("set-cookie", [])),
          f"item 2: the right password inside the burst does not sign in (got {right_status})")


def item3_redirect():
    for nxt in ["/\t/evil.example", "/\n/evil.example", "/\\evil.example", "//evil.example", "/%09/x"]:
        status, h, _ = sign_in("director", "demo-director-2026", nxt)
        location = h.get("location", [""])[0]
        check(status == 303 and location.startswith("/") and not location.startswith("//")
              and not re.search(r"[\s\\]", location), f"item 3: next={nxt!r} goes to {location!r}")


def item5_negative_sale():
    status, _, body = request("GET", "/api/tasks", headers=bearer(TOKEN))
    data = json.loads(body) if status == 200 else []
    tasks = data if isinstance(data, list) else data.get("tasks", [])
    if not tasks:
        check(False, f"item 5: no open task to try (GET /api/tasks answered {status})")
        return
    # A follow-up task of one product, so a sale needs no --product and only the price can refuse it.
    single = [t for t in tasks if t.get("products") and "," not in str(t["products"])]
    if not single:
        check(False, "item 5: no open task of one product to try")
        return
    tid = single[0]["id"]
    product = None
    for price in ["-50000.00", "100000.01", "-0.01"]:
        payload = {"outcome": "sold", "price": price}
        if product:
            payload["product"] = product
        status, _, body = request("POST", f"/api/tasks/{tid}/done", json.dumps(payload), bearer(TOKEN))
        check(status == 422 and b"not about product" not in body and b"already done" not in body,
              f"item 5: a sale at {price} is refused with 422 (got {status}: {body[:120]!r})")
    db = sqlite3.connect(DB)
    negative = db.execute("SELECT COUNT(*) FROM recoveries WHERE price_cents < 0 OR price_cents > 10000000").fetchone()[0]
    check(negative == 0, f"item 5: no recovery below $0 or above $100,000 is stored ({negative})")


def vin(serial):
    """A VIN with a right check digit (position 9), for deals of the probe's own."""
    values = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))),
              "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10)))}
    weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
    body = f"1FTFW1E50PFA{serial:05d}"
    total = sum(values[c] * w for c, w in zip(body, weights)) % 11
    return body[:8] + ("X" if total == 10 else str(total)) + body[9:]


def afterdesk(*args, stdin=None):
    return subprocess.run([BIN, *args, "--db", DB], capture_output=True, text=True, input=stdin)


def item4_store_limits():
    """A user of store north wrote rows of store main, imported contracts and cancellations of its deals, and read
    every store's uploads."""
    demo_deals = os.path.join(WORK, "demo", "deals-last-12-months.csv")
    with open(demo_deals) as f:
        header, main_row = f.readline(), f.readline()
    cols = header.strip().split(",")
    def row(**changes):
        cells = main_row.rstrip("\n").split(",")
        for k, v in changes.items():
            cells[cols.index(k)] = v
        return ",".join(cells) + "\n"
    main_deal = main_row.split(",")[cols.index("deal_number")]
    db = sqlite3.connect(DB)
    email_sql = ("SELECT c.email FROM customers c JOIN deals d ON d.customer_id = c.id JOIN stores s ON s.id = d.store_id "
                 "WHERE s.code = 'main' AND d.deal_number = ?")
    email_before = db.execute(email_sql, (main_deal,)).fetchone()[0]
    north = os.path.join(WORK, "north.csv")
    with open(north, "w") as f:
        f.write(header + row(deal_number="N-1", store="north", vin=vin(1), buyer_email="north1@example.com"))
    setup = [afterdesk("import", north, "--store", "north"),
             afterdesk("users", "add", "north1", "--role", "fi_manager", "--store", "north"),
             afterdesk("users", "passwd", "north1", stdin="north manager passphrase\n")]
    made = re.search(r"adk_[A-Za-z0-9_-]+", afterdesk("tokens", "add", "north1").stdout)
    if not all(r.returncode == 0 for r in setup) or not made or "1 new" not in setup[0].stdout:
        raise RuntimeError("store north and its F&I manager could not be set up: "
                           + " ".join((r.stdout + r.stderr).strip()[-200:] for r in setup))
    token = made.group(0)
    attack = header + row(buyer_email="attacker@evil.example", maintenance_outcome="sold") + row(
        deal_number="N-2", store="north", vin=vin(2), buyer_email="north2@example.com")
    status, _, body = request("POST", "/api/v1/deals/import?store=main", attack, bearer(token, "text/csv"))
    summary = json.loads(body) if status == 200 else {}
    refused = [r for r in summary.get("rejects", []) if r.get("field") == "store"]
    check(status == 200 and len(refused) == 1 and summary.get("inserted", 0) + summary.get("updated", 0) >= 1,
          f"item 4: north's API import refuses the main row and lands the north one ({status}: {body[:200]!r})")
    email_after = db.execute(email_sql, (main_deal,)).fetchone()[0]
    check(email_after == email_before, f"item 4: the main customer's email is unchanged ({email_after})")
    contract = f"contract_number,store,deal_number,product,sale_date,price,cost\nAS-EVIL-1,main,{main_deal},vsc,2026-11-01,995.00,300.00\n"
    status, _, body = request("POST", "/api/v1/contracts/import", contract, bearer(token, "text/csv"))
    landed = db.execute("SELECT COUNT(*) FROM contracts WHERE contract_number = 'AS-EVIL-1'").fetchone()[0]
    check(status in (200, 422) and landed == 0, f"item 4: north cannot import a contract of a main deal ({status}, {landed} landed)")
    contract_number = db.execute(
        "SELECT contract_number FROM contracts WHERE id NOT IN (SELECT contract_id FROM cancellations WHERE contract_id IS NOT NULL)"
    ).fetchone()
    check(contract_number is not None, "item 4: the demo has a main contract not cancelled, to try")
    if contract_number:
        cancel = f"store,contract_number,cancel_date,customer_refund,chargeback\nmain,{contract_number[0]},2026-11-20,100.00,50.00\n"
        before = db.execute("SELECT COUNT(*) FROM cancellations").fetchone()[0]
        status, _, body = request("POST", "/api/v1/cancellations/import", cancel, bearer(token, "text/csv"))
        after = db.execute("SELECT COUNT(*) FROM cancellations").fetchone()[0]
        check(after == before, f"item 4: north cannot cancel a main contract ({status}: {body[:160]!r})")
    # An upload of main deals by the F&I manager of every store is not north's to see.
    fi = signed_in("fi", "demo-fi-2026")
    boundary = uuid.uuid4().hex
    body = multipart([("csrf", csrf_of(fi, "/imports")), ("profile", "canonical")], "main.csv",
                     (header + main_row).encode(), boundary)
    status, h, _ = request("POST", "/imports", body, {
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Sec-Fetch-Site": "same-origin", "Cookie": cookie_header(fi)})
    page = h.get("location", [""])[0]
    north1 = signed_in("north1", "north manager passphrase")
    for _ in range(100):
        if request("GET", page, headers={"Cookie": cookie_header(fi)})[2].lower().count(b"running") == 0:
            break
        time.sleep(0.1)
    seen = [request("GET", p, headers={"Cookie": cookie_header(north1)})[0] for p in [page, page + "/rejects.csv"]]
    _, _, listing = request("GET", "/imports", headers={"Cookie": cookie_header(north1)})
    check(status == 303 and seen == [404, 404] and page.encode() not in listing,
          f"item 4: north sees neither main's upload {page!r} nor its rejects ({seen}), nor it in the list")


def main():
    check(alive(), "the server answers")
    for item in [item3_redirect, item5_negative_sale, item4_store_limits, item2_burst, item1_deep_json]:
        try:
            item()
        except Exception as e:  # a dropped connection is the server dying: a failure, and the next items still run
            check(False, f"{item.__name__}: {type(e).__name__}: {e}")
    check(alive(), "the server is still up at the end")
    sys.exit(1 if failures else 0)


main()
