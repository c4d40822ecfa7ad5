"""axe-core (PyPI's axe-playwright-python, which bundles it) on the pages the browser test visits.

Every rule axe-core runs by default is run (WCAG 2.0/2.1/2.2 A and AA, and its best practices): no rule is disabled
and no element is excluded. A rule or element may be left out only by adding it to RULES_OFF or EXCLUDED below with
the reason written next to it.

Every audit prints one line (page, width, violations by impact, with their rule ids); `Audit.fail_if_any()` ends the test with every
serious or critical violation listed by page, width, rule id, impact and target selectors.
"""
from axe_playwright_python.sync_playwright import Axe

# Rules turned off, as {"rule-id": "the reason"}. None.
RULES_OFF: dict[str, str] = {}
# Elements left out of the audit, as {"css selector": "the reason"}. None.
EXCLUDED: dict[str, str] = {}
# The impacts that fail the test.
FAILING = ("critical", "serious")
IMPACTS = ("critical", "serious", "moderate", "minor")


class Audit:
    def __init__(self):
        self.axe = Axe()
        self.failures = []  # (page, width, rule, impact, targets)
        self.audited = 0

    def run(self, page, name, width_label):
        """Audits the page as it is now (at the viewport's current width)."""
        options = {"resultTypes": ["violations"]}
        if RULES_OFF:
            options["rules"] = {rule: {"enabled": False} for rule in RULES_OFF}
        context = {"exclude": [[selector] for selector in EXCLUDED]} if EXCLUDED else None
        results = self.axe.run(page, context=context, options=options).response
        counts = {impact: 0 for impact in IMPACTS}
        rules = {impact: [] for impact in IMPACTS}
        for violation in results["violations"]:
            impact = violation.get("impact") or "minor"
            counts[impact] = counts.get(impact, 0) + 1
            rules.setdefault(impact, []).append(violation["id"])
            if impact in FAILING:
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
                self.failures.append((name, width_label, violation["id"], impact, targets))
        self.audited += 1
        summary = ", ".join(f"{counts[i]} {i}" + (f" ({' '.join(rules[i])})" if rules[i] else "") for i in IMPACTS)
        print(f"  axe {name} @ {width_label}: {summary}")

    def fail_if_any(self):
        """Raises with every serious or critical violation found, or prints that there were none."""
        if not self.failures:
            print(f"axe: no serious or critical violation on {self.audited} page audits")
            return
        lines = [f"axe: {len(self.failures)} serious or critical violations:"]
        for name, width, rule, impact, targets in self.failures:
            lines.append(f"  {name} @ {width}: {rule} ({impact}) on {len(targets)} elements: {'; '.join(targets)}")
        raise AssertionError("\n".join(lines))
