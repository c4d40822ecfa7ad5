#!/usr/bin/env python3
"""Issue 25's end-to-end check of the trade's truth, through the real binary.

    trade_e2e.py BIN WORK

In a fresh database under WORK: import a file of used cars sold out of basic warranty (and a few new ones), each with
a declined service contract and a declined GAP, plan as of a fixed day, and check through `explain --json`,
`plan`, `run --dry-run` and `preview`:
  - every declined service contract not held out is followed up, by a plan class that fits the car on the day
    (a used car never by the maker's new-vehicle class once its basic warranty has ended);
  - the dealer GAP waiver gets no message at all: at most one task, inside the funding window, and only when the
    loan-to-value at contract is above the threshold;
  - no preview says a contract "can't be added", "only while", or "your quote was" for a presumed decline.
Exit 0 when every check holds.
"""
import json
import re
from datetime import date, timedelta
import os
import random
import subprocess
import sys

BIN, WORK = sys.argv[1], sys.argv[2]
DB = os.path.join(WORK, "trade.sqlite")
NOW = "2026-12-01T16:00:00Z"
ENV = dict(os.environ, AFTERDESK_NOW=NOW, AFTERDESK_DB=DB)
failures = []

HEADER = (
    "deal_number,store,contract_date,delivery_date,deal_type,buyer_first_name,buyer_last_name,buyer_email,buyer_phone,"
    "buyer_state,buyer_zip,consent_sms,consent_email,consent_phone,customer_number,vin,vehicle_year,vehicle_make,vehicle_model,"
    "vehicle_condition,odometer,in_service_date,selling_price,vehicle_value,amount_financed,apr,term_months,first_payment_date,"
    "vsc_outcome,vsc_price,gap_outcome,gap_price"
)
VALUES = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))), "P": 7,
          "R": 9, **dict(zip("STUVWXYZ", range(2, 10)))}
WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]


def vin(serial):
    """A VIN whose check digit holds (ISO 3779 / 49 CFR 565)."""
    body = f"1FTFW1E5XMF{serial:06d}"
    total = sum(VALUES[c] * w for c, w in zip(body, WEIGHTS))
    check = total % 11
    return body[:8] + ("X" if check == 10 else str(check)) + body[9:]


def deals(rng):
    rows, facts = [], {}
    for i in range(120):
        used = i % 6 != 0
        year = rng.randint(2016, 2021) if used else 2026
        in_service = f"{year}-03-01" if used else ""
        odometer = rng.randint(45_000, 110_000) if used else 15
        day = 27 + i % 4  # 1 to 4 days before NOW: the dealer waiver's funding window is still open for most
        contract = f"2026-11-{day:02d}"
        value = rng.randint(14_000, 32_000)
        ltv = rng.choice([0.85, 0.98, 1.05, 1.18, 1.35])
        financed = round(value * ltv, 2)
        number = f"T-{i:04d}"
        facts[number] = {"used": used, "contract": contract, "ltv": ltv}
        rows.append(
            f"{number},main,{contract},{contract},finance,Pat,Rivera{i},,(512) 555-{1000 + i:04d},TX,78701,Y,N,Y,C-{i},"
            f"{vin(i)},{year},Ford,F-150,{'used' if used else 'new'},{odometer},{in_service},{value + 2000}.00,{value}.00,"
            f"{financed:.2f},7.9,72,2027-01-05,declined,2495.00,declined,895.00"
        )
    return rows, facts


def cli(*args, check=True):
    r = subprocess.run([BIN, *args], env=ENV, capture_output=True, text=True, timeout=600)
    if check and r.returncode != 0:
        raise SystemExit(f"FAIL: afterdesk {' '.join(args)} exited {r.returncode}: {r.stderr.strip()[:500]}")
    return r.stdout


def main():
    rows, facts = deals(random.Random(25))
    path = os.path.join(WORK, "used-out-of-warranty.csv")
    with open(path, "w") as f:
        f.write(HEADER + "\n" + "\n".join(rows) + "\n")
    cli("import", path, "--db", DB)
    cli("plan", "--db", DB)
    followed = held = tasks = 0
    for number, fact in facts.items():
        e = json.loads(cli("explain", number, "--json", "--db", DB))
        products = {p["code"]: p for p in e["products"]}
        vsc, gap = products["vsc"], products["gap"]
        if vsc.get("holdout"):
            held += 1
            continue
        if not vsc["touches"]:
            failures.append(f"{number}: declined VSC on a {'used' if fact['used'] else 'new'} car has no follow-up: {vsc.get('note')}")
        for t in vsc["touches"]:
            cls = t.get("plan_class")
            if cls is None:
                failures.append(f"{number}: VSC touch {t['template']} names no plan class")
            elif fact["used"] and cls == "manufacturer_new":
                failures.append(f"{number}: a used Ford out of basic warranty offered the maker's new-vehicle plan ({t['template']})")
            elif not fact["used"] and t["due_at"] < "2029-05" and cls != "manufacturer_new":
                failures.append(f"{number}: a new car under basic warranty offered {cls} ({t['template']})")
        followed += bool(vsc["touches"])
        tasks += check_gap(number, fact, gap)
    print(f"trade-test: {followed} declined service contracts followed up, {held} held out; {tasks} GAP re-contract tasks")
    if followed == 0 or tasks == 0:
        failures.append("the file gave nothing to check")
    dry_run()
    previews([n for n in facts][:24])


BANNED = ("can't be added", "cannot be added", "can no longer be added", "only while", "repairs are yours")


def previews(numbers):
    """`afterdesk preview` of each touch, as of its planned day: no claim the facts do not hold."""
    seen = 0
    for number in numbers:
        for product in ("vsc", "maintenance"):
            out = cli("preview", number, product, "--db", DB, check=False)
            seen += len(re.findall(r"^=== .* — (sms|email) ", out, re.M))
            for phrase in BANNED:
                if phrase in out.lower():
                    failures.append(f"preview {number} {product} says {phrase!r}")
    if seen == 0:
        failures.append("preview rendered nothing")


def dry_run():
    """Dispatch as it would run on each of the next 30 days: no text or email ever mentions GAP."""
    sends = 0
    for day in range(1, 31):
        at = f"2026-12-{day:02d}T17:00:00Z"
        out = json.loads(cli("run", "--dry-run", "--json", "--now", at, "--db", DB))
        for d in out["decisions"]:
            sends += d["action"] in ("sms", "email") and d["result"] == "send"
            # A sent message's detail names its items as deal:product.
            if d["action"] in ("sms", "email") and d["result"] == "send" and re.search(r":gap\b", d["detail"]):
                failures.append(f"run --dry-run at {at}: a {d['action']} about GAP would be sent: {d['detail'][:120]}")
    if sends == 0:
        failures.append("30 days of dry runs sent nothing to check")


def check_gap(number, fact, gap):
    """The dealer waiver: one task for the F&I manager inside the funding window when LTV is above 1.00, no message."""
    for t in gap["touches"]:
        if t["action"] != "task":
            failures.append(f"{number}: dealer GAP waiver gets a {t['action']} ({t['template']}): it can't be sold after the contract")
    if fact["ltv"] <= 1.0:
        if gap["touches"]:
            failures.append(f"{number}: GAP followed up at loan-to-value {fact['ltv']}, at or below the threshold")
        return 0
    closes = date.fromisoformat(fact["contract"]) + timedelta(days=5)
    if len(gap["touches"]) != 1:
        failures.append(f"{number}: LTV {fact['ltv']} above 1.00 should get one re-contract task, got {len(gap['touches'])}: {gap.get('note')}")
        return 0
    due = date.fromisoformat(gap["touches"][0]["due_at"][:10])
    if due > closes:
        failures.append(f"{number}: the re-contract task is due {due}, after the funding window closes {closes}")
    return 1


if __name__ == "__main__":
    main()
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
