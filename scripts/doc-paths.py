#!/usr/bin/env python3
"""Every file a document in docs/ (and the README) names in backticks exists: a recipe that points at a moved or
deleted file fails CI. A path may be given in full (`Sources/AfterdeskCore/Timing/Planner.swift`), under its target
with or without the `Afterdesk` prefix (`Core/Timing/Planner.swift`, `SQLite/Plan/`), or as a bare file name
(`Planner.swift`), which must exist somewhere in Sources, Tests, docs or scripts."""
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
os.chdir(root)
names = {}
for top in ["Sources", "Tests", "docs", "scripts", "menus", "templates", "Fuzz"]:
    for folder, _, files in os.walk(top):
        for f in files:
            names.setdefault(f, []).append(os.path.join(folder, f))
targets = [d for d in os.listdir("Sources")]
pattern = re.compile(r"`([A-Za-z0-9_./<>*+-]+\.(?:swift|md|yaml|sh|py|mustache|csv|json)|[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.+-]+)+/)`")


def exists(p):
    if "<" in p or "*" in p:
        return True  # a pattern, not a file
    candidates = [p, os.path.join("Sources", p)] + [os.path.join("Sources", t, p.split("/", 1)[1]) for t in targets
                                                    if "/" in p and t in (p.split("/")[0], "Afterdesk" + p.split("/")[0])]
    if any(os.path.exists(c) for c in candidates):
        return True
    if "/" not in p.rstrip("/"):
        # A bare name: a source or document must exist; a data file's name (`afterdesk.yaml`, `deals.csv`) is the
        # user's own.
        if not p.endswith((".swift", ".md", ".sh", ".py", ".mustache")):
            return True
        return p in names or any(os.path.isdir(os.path.join(t, p)) for t in ["Sources", "Tests", "docs"])
    # A path relative to a target's folder: ends the same as some file of the package.
    tail = p.rstrip("/")
    return any(path.endswith("/" + tail) for paths in names.values() for path in paths) or any(
        folder.endswith("/" + tail) for top in ["Sources", "Tests"] for folder, _, _ in os.walk(top))


missing = []
for doc in ["README.md"] + [os.path.join("docs", d) for d in sorted(os.listdir("docs")) if d.endswith(".md")]:
    with open(doc, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            for m in pattern.finditer(line):
                p = m.group(1)
                if p.startswith(("http", "/", "../", "~")) or p.startswith("."):
                    continue
                if not exists(p):
                    missing.append(f"{doc}:{n}: `{p}` names no file of the package")
for line in missing:
    print(line)
sys.exit(1 if missing else 0)
