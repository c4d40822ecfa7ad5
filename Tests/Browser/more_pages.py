"""The pages web_flow.py visits besides the three users' flows, each audited by axe-core at both widths: the opt-out
ledger and an address's history, the error pages (404 and 403 to a signed-in person), the customer's unsubscribe
pages, and an import's page while the import is running (held by taking the database's import lock, as a command-line
import would)."""
import base64
import fcntl
import hashlib
import hmac
import os
import re
import sqlite3

from playwright.sync_api import expect


def opt_out_pages(page, base, shot, audit):
    """As an admin: the opt-out ledger, then one address's history."""
    page.goto(base + "/admin/opt-outs")
    expect(page.locator("h1")).to_have_text("Opt-outs")
    shot(page, "opt-outs")
    stopped = page.locator("#opt-outs tbody a")
    if stopped.count() > 0:
        stopped.first.click()
    else:
        page.goto(base + "/admin/opt-outs?address=%2B15125550100")
    expect(page.locator("#history")).to_be_visible()
    audit(page, "opt-out-history")


def error_page(page, base, path, status, heading, name, audit):
    """A page that answers `status` with the error page titled `heading`, to the person signed in."""
    response = page.goto(base + path)
    assert response.status == status, f"{path} answered {response.status}, expected {status}"
    expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator("form.signout")).to_be_visible()
    audit(page, name)


def unsubscribe_pages(page, base, database, audit):
    """A customer's email unsubscribe link (signed with the database's secret, as the demo's emails were): the page with
    its one button, then the answer; and a link whose signature is wrong."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        secret = db.execute("SELECT value FROM settings WHERE key = 'signing_secret'").fetchone()[0]
        customer = db.execute("SELECT id FROM customers WHERE consent_email = 1 ORDER BY id LIMIT 1").fetchone()[0]
    mac = hmac.new(secret.encode(), f"unsubscribe:{customer}".encode(), hashlib.sha256).digest()
    token = base64.urlsafe_b64encode(mac).decode().rstrip("=")
    response = page.goto(f"{base}/unsubscribe?c={customer}&t={token}")
    assert response.status == 200, f"the unsubscribe link answered {response.status}"
    expect(page.locator("h1")).to_contain_text("Unsubscribe from")
    audit(page, "unsubscribe")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("You are unsubscribed")
    audit(page, "unsubscribed")
    response = page.goto(f"{base}/unsubscribe?c={customer}&t=not-the-signature")
    assert response.status == 403, f"a forged unsubscribe link answered {response.status}"
    expect(page.locator("h1")).to_have_text("This unsubscribe link is not valid")
    audit(page, "unsubscribe-invalid")


def running_import(page, database, upload, audit):
    """Uploads `upload` while this process holds the database's import lock: the import waits, and its page says it
    is running; released, the import ends."""
    fd = os.open(database + "-import.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        page.set_input_files("input[name=file]", upload)
        page.click("form[action='/imports'] button[type=submit]")
        expect(page).to_have_url(re.compile(r"/imports/\d+$"))
        expect(page.locator("#status")).to_have_text(re.compile("queued|running"))
        audit(page, "import-running")
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    wait_for_import(page)


def wait_for_import(page):
    """Presses the running import page's "Check again" until the import is done (the page does not refresh by
    itself: a timed refresh fails WCAG 2.2.1)."""
    for _ in range(120):
        if page.locator("#status").inner_text() == "done":
            return
        expect(page.locator("#check-again")).to_be_visible()
        page.wait_for_timeout(500)
        page.click("#check-again")
    raise AssertionError("the import did not end")


def stores_page(page, base, shot):
    """As an admin: the stores page, a store's own sending number set through its form, then cleared."""
    page.goto(base + "/admin/stores")
    expect(page.locator("h1")).to_have_text("Stores")
    page.select_option("select[name=key]", "sms_from")
    page.fill("input[name=value]", "555-0100")
    page.click("button[value=set]")
    expect(page.locator("p.error")).to_contain_text("E.164")
    page.select_option("select[name=key]", "sms_from")
    page.fill("input[name=value]", "+15125550100")
    page.click("button[value=set]")
    expect(page.locator("table").first).to_contain_text("+15125550100")
    shot(page, "admin-stores")
    page.select_option("select[name=key]", "sms_from")
    page.click("button[value=clear]")
    expect(page.locator("table").first).not_to_contain_text("+15125550100")
