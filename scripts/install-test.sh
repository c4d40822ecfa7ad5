#!/usr/bin/env bash
# README's "Installing for a dealership", with the debug build (the release build of the README takes minutes; both
# are built from the same sources): the one `afterdesk` binary copied to a bin folder, the README's files copied to a
# fresh folder OUTSIDE the repository, less templates/pages/ as the README removes it (the pages come from the binary), and
# `afterdesk serve` started there. /login and /static/app.css must be the real page and stylesheet. Then a dealer's
# page_templates_dir with a broken template must stop the start, naming the file and the line.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
port="${INSTALL_TEST_PORT:-18490}"
built="$(swift build --show-bin-path)/afterdesk"
[ -x "$built" ] || swift build --product afterdesk
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/srv"
cp "$built" "$work/bin/"                                          # cp .build/release/afterdesk /usr/local/bin/
cp -r menus templates afterdesk.example.yaml "$work/srv/"          # cp -r menus templates afterdesk.example.yaml /srv/afterdesk/
cd "$work/srv"
rm -r templates/pages                                              # rm -r templates/pages
export PATH="$work/bin:$PATH"
afterdesk menu check menus/default.yaml > /dev/null
timeout 60 afterdesk serve --db afterdesk.sqlite --host 127.0.0.1 --port "$port" --every 3600 > serve.log 2>&1 &
server=$!
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/health" > /dev/null 2>&1 && break
    sleep 0.1
done
kill -0 "$server" 2>/dev/null || { echo "FAIL: afterdesk serve did not start:"; cat serve.log; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }
curl -fsS "http://127.0.0.1:$port/login" > login.html || fail "/login did not answer 200"
grep -q '<h1>Sign in</h1>' login.html || fail "/login is not the sign-in page: $(head -c 300 login.html)"
grep -q 'href="/static/app.css"' login.html || fail "/login does not link the stylesheet"
grep -q '</footer>' login.html || fail "/login lacks the foot partial"
curl -fsS "http://127.0.0.1:$port/static/app.css" > app.css || fail "/static/app.css did not answer 200"
cmp -s app.css <(head -c -1 "$repo/templates/pages/style.css") || fail "/static/app.css is not templates/pages/style.css"
kill "$server"; wait "$server" 2>/dev/null || true; server=
echo "ok: the installed binary serves the sign-in page ($(wc -c < login.html) bytes) and the stylesheet ($(wc -c < app.css) bytes) from $work/srv"

# A dealer's folder with a broken template: the start stops (exit 65) naming the file and the line.
mkdir custom
{ cat "$repo/templates/pages/login.mustache"; echo "{{#error}}"; } > custom/login.mustache
set +e
AFTERDESK_PAGE_TEMPLATES_DIR="$work/srv/custom" timeout 30 afterdesk serve --db afterdesk.sqlite --port "$port" > broken.log 2>&1
code=$?
set -e
[ "$code" = 65 ] || fail "serve with a broken template exited $code, expected 65: $(cat broken.log)"
grep -q "custom/login.mustache, line " broken.log || fail "the error does not name the file and line: $(cat broken.log)"
echo "ok: a broken template stops the start: $(grep -m1 'login.mustache' broken.log)"
