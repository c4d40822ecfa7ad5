"""The web pages in a real browser (Debian's chromium through Playwright), on a server started from the demo's
database: the three users' flows of issue 13, and screenshots of every main page at desktop width and at 375 px.

    python3 Tests/Browser/web_flow.py BASE_URL SCREENSHOT_DIR DEMO_DEALS_CSV DEMO_OUTPUT DEMO_DATABASE

The F&I manager's upload is three rows of the demo's export, the last with a VIN whose check digit is wrong. The
customer's offer page is reached from a text the demo sent (the link `afterdesk demo` prints). The other pages it
visits (opt-outs, the stores, error pages, unsubscribe pages, a running import) are in more_pages.py.

Every page the test visits is audited by axe-core at both widths (Tests/Browser/axe_audit.py): one line per page
and width, and the test fails at the end listing every serious or critical violation.

Exits non-zero with the failed step on the first thing that is not as expected.
"""
import csv
import os
import re
import sys
import tempfile

from playwright.sync_api import sync_playwright, expect

from axe_audit import Audit
from more_pages import error_page, opt_out_pages, running_import, stores_page, unsubscribe_pages, wait_for_import

BASE, SHOTS, DEMO_DEALS, DEMO_OUTPUT, DATABASE = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
os.makedirs(SHOTS, exist_ok=True)
USERS = {"sales": "demo-sales-2026", "fi": "demo-fi-2026", "director": "demo-director-2026", "admin": "demo-admin-2026"}
WIDTHS = {"desktop": 1280, "phone": 375}
AUDIT = Audit()


def shot(page, name, screenshot=True):
    """Screenshots of the page at both widths (unless `screenshot` is false), each width audited by axe-core."""
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        if screenshot:
            page.screenshot(path=os.path.join(SHOTS, f"{name}-{label}.png"), full_page=True)
        AUDIT.run(page, name, label)
        # Nothing wider than the screen at 375 px: the queue is used on a phone.
        if label == "phone":
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{name} is {overflow}px wider than a 375 px screen"
    page.set_viewport_size({"width": 1280, "height": 900})


def audit(page, name):
    """The axe-core audit of a page the test visits without a screenshot, at both widths."""
    shot(page, name, screenshot=False)


def sign_in(page, user):
    page.goto(BASE + "/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", USERS[user])
    page.click("button[type=submit]")


def sign_out(page):
    page.click("form.signout button")
    expect(page).to_have_url(re.compile(r"/login$"))


def open_deal_declining(page, *products, charts=0):
    """Opens the most recent deal whose declined products include all of `products` (and whose page draws at least
    `charts` charts: a product whose follow-up a customer stopped has no plan to chart), paging back if needed."""
    for _ in range(20):
        listing = page.url
        links = [
            row.locator("a").first.get_attribute("href")
            for row in page.locator("#deals tbody tr").all()
            if all(p in row.locator("td").nth(4).inner_text() for p in products)
        ]
        for href in links:
            page.goto(BASE + href if href.startswith("/") else href)
            if page.locator("svg.chart").count() >= charts:
                return
        page.goto(listing)
        page.click("text=Older →")
    raise AssertionError(f"no deal declining {products} with {charts} charts")


def money(text):
    return int(round(float(re.sub(r"[^0-9.\-]", "", text)) * 100))


def bad_file():
    """Two good rows of the demo's export and one with a wrong VIN check digit, under another deal number."""
    with open(DEMO_DEALS, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, good = rows[0], rows[1:3]
    bad = list(rows[3])
    bad[header.index("deal_number")] = "WEB-BAD-1"
    vin = bad[header.index("vin")]
    bad[header.index("vin")] = vin[:8] + ("X" if vin[8] != "X" else "0") + vin[9:]
    path = os.path.join(tempfile.mkdtemp(), "deals-with-one-bad-row.csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header] + good + [bad])
    return path


def demo_offer_link():
    """The offer page link the demo printed: from a text it sent about a deal of the demo salesperson's staff member
    (task routing gives a press to them). The database keeps tokens only as hashes, so the message is the only way in."""
    text = open(DEMO_OUTPUT, encoding="utf-8").read()
    m = re.search(r"A customer's offer page, from the text sent to (\S+) .*?\n.*?\n\s+https?://[^/\s]+(/o/[A-Za-z0-9_-]{22})", text)
    assert m, "the demo printed no offer page link"
    return m.group(2), m.group(1)


def customer_presses_call_me(browser):
    """A customer opens the offer page from a demo message on a phone and presses "Call me"; returns their name."""
    phone = browser.new_context(viewport={"width": 375, "height": 800})
    page = phone.new_page()
    path, first = demo_offer_link()
    response = page.goto(BASE + path)
    assert response.status == 200, f"the demo's offer page answered {response.status}"
    assert response.headers.get("referrer-policy") == "no-referrer", response.headers
    assert "noindex" in response.headers.get("x-robots-tag", "")
    expect(page.locator("main")).to_contain_text(f"Hi {first},")
    expect(page.locator("button", has_text="Not now")).to_be_visible()
    shot(page, "offer")
    page.click("button:has-text('Call me')")
    expect(page.locator(".flash")).to_contain_text("will call you")
    shot(page, "offer-pressed")
    page.goto(BASE + "/o/AAAAAAAAAAAAAAAAAAAAAA")
    expect(page.locator("h1")).to_have_text("This link is not valid")
    shot(page, "offer-invalid")
    phone.close()
    return first


def main():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        print("sign-in page; a wrong password is refused")
        page.goto(BASE + "/tasks")
        expect(page).to_have_url(re.compile(r"/login\?next="))
        shot(page, "login")
        page.fill("input[name=username]", "sales")
        page.fill("input[name=password]", "not-the-password")
        page.click("button[type=submit]")
        expect(page.locator(".error")).to_contain_text("Wrong user name or password")
        audit(page, "login-refused")

        print("finance director: the recovered margin before the sale")
        sign_in(page, "director")
        expect(page).to_have_url(re.compile(r"/dashboard$"))
        before = money(page.locator(".tile", has_text="Recovered margin, net").locator(".value").inner_text())
        sign_out(page)

        print("customer: 'Call me' on the offer page of a message the demo sent")
        caller = customer_presses_call_me(browser)

        print("salesperson: the customer's urgent task is in the queue")
        sign_in(page, "sales")
        urgent = page.locator("ul.tasks li a", has_text=re.compile(f'Urgent: {caller} .* pressed "Call me"'))
        expect(urgent).to_be_visible()
        urgent.click()
        expect(page.locator("h1")).to_contain_text(caller)
        shot(page, "task-urgent")

        print("salesperson: text the customer from the task, through Afterdesk's number and its gate")
        assert page.locator("a[href^='sms:']").count() == 0, "a text link to the salesperson's own phone"
        page.click("a.button[href='#text']")
        page.fill("#text-body", "Thanks for pressing Call me. When is a good time to talk?")
        page.click("form.compose button[type=submit]")
        # Sent, or refused by the gate in words (the demo may have texted this customer today): never silently.
        result = page.locator("#text .flash, #text .error")
        expect(result).to_be_visible()
        print("  " + result.inner_text())
        shot(page, "task-text")
        sign_out(page)

        print("salesperson: the most urgent task, a sale with price and cost")
        sign_in(page, "sales")
        expect(page).to_have_url(re.compile(r"/tasks$"))
        shot(page, "tasks")
        first = page.locator("ul.tasks li a").first
        first.click()
        expect(page.locator("h1")).to_be_visible()
        assert page.locator("a[href^='tel:']").count() == 1, "no one-tap call link"
        shot(page, "task")
        page.fill("input[name=price]", "1500.00")
        page.fill("input[name=cost]", "400.00")
        page.click("button[name=outcome][value=sold]")
        expect(page.locator(".flash")).to_contain_text("Recorded: sold")
        audit(page, "task-recorded")
        error_page(page, BASE, "/admin/users", 403, "Not allowed", "error-403", audit)
        sign_out(page)

        print("finance director: the sale's margin is on the dashboard")
        sign_in(page, "director")
        sale = page.locator("#sales tbody tr", has_text="$1,100.00").first
        expect(sale).to_be_visible()
        expect(sale).to_contain_text("task")
        counted = sale.locator("td").last.inner_text().strip() == "counted"
        after = money(page.locator(".tile", has_text="Recovered margin, net").locator(".value").inner_text())
        expected = 110000 if counted else 0
        assert after - before == expected, f"recovered margin moved by {after - before} cents, expected {expected} (counted: {counted})"
        expect(page.locator("#verdict")).to_be_visible()
        assert page.locator("svg.chart").count() >= 2, "the dashboard's charts are missing"
        shot(page, "dashboard")

        print("finance director: the F&I scorecard, by F&I manager and by product")
        page.click("nav a[href='/scorecard']")
        expect(page.locator("h1")).to_contain_text("F&I scorecard")
        expect(page.locator("#pvr tbody tr").last).to_contain_text("All deals")
        assert page.locator("#penetration tbody tr").count() >= 1, "the scorecard lists no product"
        shot(page, "scorecard")
        page.select_option("select[name=by]", "product")
        page.click("form.filters button[type=submit]")
        expect(page).to_have_url(re.compile(r"/scorecard\?.*by=product"))
        expect(page.locator("#pvr thead th").first).to_have_text("product")
        shot(page, "scorecard-by-product")
        sign_out(page)

        print("F&I manager: upload a file with one bad row, see it refused, download the rejects")
        sign_in(page, "fi")
        expect(page).to_have_url(re.compile(r"/deals$"))
        shot(page, "deals")
        open_deal_declining(page, "Vehicle Service Contract", "GAP Protection", charts=2)
        expect(page.locator("h1")).to_contain_text("Deal")
        assert page.locator("svg.chart").count() == 2, "the deal page lacks its warranty and loan charts"
        shot(page, "deal")
        page.goto(BASE + "/imports")
        shot(page, "imports")
        page.set_input_files("input[name=file]", bad_file())
        page.click("form[action='/imports'] button[type=submit]")
        wait_for_import(page)
        expect(page.locator("#refused-count")).to_have_text("1")
        expect(page.locator("#refused tbody tr")).to_have_count(1)
        shot(page, "import")
        with page.expect_download() as download:
            page.click("#rejects-csv")
        path = download.value.path()
        text = open(path, encoding="utf-8").read()
        assert text.count("\n") >= 2 and "line" in text.splitlines()[0], f"the rejects file is not a CSV of refused rows: {text[:200]}"
        page.goto(BASE + "/imports")
        running_import(page, DATABASE, bad_file(), audit)
        page.goto(BASE + "/menu")
        shot(page, "menu")
        sign_out(page)

        print("admin: users and tokens")
        sign_in(page, "admin")
        expect(page).to_have_url(re.compile(r"/admin/users$"))
        shot(page, "admin-users")
        opt_out_pages(page, BASE, shot, audit)
        stores_page(page, BASE, shot)
        error_page(page, BASE, "/no-such-page", 404, "Not found", "error-404", audit)
        sign_out(page)

        print("customer: an email's unsubscribe link")
        unsubscribe_pages(page, BASE, DATABASE, audit)
        browser.close()
    AUDIT.fail_if_any()
    print("browser flow passed; screenshots in", SHOTS)


if __name__ == "__main__":
    main()
