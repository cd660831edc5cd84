#!/usr/bin/env bash
# Tests of the example app, run by the project's test command (scripts/test.sh):
#   api        pytest (project venv), including a real gunicorn on loopback
#   frontend   npm ci when needed, vitest, vite build, hashed assets + index.html + public files in dist/
#   taskdef    every task definition parses, matches RegisterTaskDefinition and the topology contract
#   web        nginx -t on rendered copies of both topologies, then nginx + gunicorn on loopback ports
#              (skipped with a notice when nginx is not installed)
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
py=$here/../../.venv/bin/python
started=$SECONDS
section() { echo "--- example-app: $*"; }

pids=()
workdir=$(mktemp -d)
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$workdir"
}
trap cleanup EXIT

section "api: pytest"
"$py" -m pytest -q -p no:cacheprovider api/tests

section "frontend: install, vitest, build"
./build-frontend.sh --install-only
(cd frontend && npx --no-install vitest run)
dist=$(./build-frontend.sh | tail -n 1)
[ -f "$dist/index.html" ] || { echo "no index.html in $dist" >&2; exit 1; }
hashed=$(find "$dist/assets" -type f -regextype posix-extended -regex '.*-[A-Za-z0-9_-]{8}\.(js|css)$' | wc -l)
[ "$hashed" -ge 2 ] || { echo "expected hashed .js and .css files under $dist/assets, found $hashed" >&2; exit 1; }
grep -Eq 'src="/assets/index-[A-Za-z0-9_-]{8}\.js"' "$dist/index.html" ||
  { echo "index.html does not load a hashed /assets/index-*.js" >&2; exit 1; }
for f in favicon.svg robots.txt; do
  [ -f "$dist/$f" ] || { echo "public file $f missing from $dist" >&2; exit 1; }
done
echo "frontend: $dist has index.html, $hashed hashed assets, favicon.svg, robots.txt"

section "taskdef: parse and validate"
"$py" taskdef/validate.py

section "web: nginx configuration"
if ! command -v nginx >/dev/null 2>&1; then
  echo "notice: nginx is not installed; skipping nginx -t and the proxy smoke test (apt-get install -y nginx)"
else
  # Both topologies as the image renders them (port 8080), checked without binding.
  for topology in sidecar split; do
    upstream=127.0.0.1:8000
    [ "$topology" = split ] && upstream=internal-twotier-api-1234567890.us-east-1.elb.amazonaws.com:80
    conf=$(API_UPSTREAM=$upstream NGINX_LOCAL_RESOLVERS=127.0.0.1 web/render-config.sh "$workdir/$topology")
    grep -q "set \$api_upstream $upstream;" "$workdir/$topology/conf.d/default.conf"
    nginx -t -q -e stderr -p "$workdir/$topology" -c "$conf"
    echo "web: nginx -t ok for the $topology topology (API_UPSTREAM=$upstream)"
  done

  # Smoke test on loopback: nginx (sidecar config) in front of the real API under gunicorn.
  read -r web_port api_port < <("$py" -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
  conf=$(NGINX_PORT=127.0.0.1:$web_port API_UPSTREAM=127.0.0.1:$api_port NGINX_LOCAL_RESOLVERS=127.0.0.1 \
    web/render-config.sh "$workdir/smoke")
  nginx -e stderr -p "$workdir/smoke" -c "$conf" -g 'daemon off;' >"$workdir/nginx.log" 2>&1 &
  pids+=($!)
  get() { # URL -> "STATUS BODY" (no proxy, 2 s timeout)
    "$py" - "$1" <<'PY'
import sys, urllib.error, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
try:
    with opener.open(sys.argv[1], timeout=2) as r:
        print(r.status, r.read().decode().strip())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode().strip())
except OSError as e:
    print(0, e)
PY
  }
  wait_for() { # URL EXPECTED_STATUS: poll up to 100 times, 0.1 s apart
    local out
    for _ in $(seq 100); do
      out=$(get "$1")
      [ "${out%% *}" = "$2" ] && { echo "$out"; return 0; }
      sleep 0.1
    done
    echo "timed out waiting for $2 from $1, last answer: $out" >&2
    cat "$workdir/nginx.log" >&2
    return 1
  }
  expect_body() { # OUT PATTERN
    case "$1" in *"$2"*) ;; *) echo "unexpected answer: $1 (wanted $2)" >&2; exit 1 ;; esac
  }
  base=http://127.0.0.1:$web_port
  expect_body "$(wait_for "$base/nginx-health" 200)" "200 ok"
  expect_body "$(wait_for "$base/api/message" 503)" '{"error":"api unavailable"}'
  (cd api && APP_MESSAGE="through nginx" GUNICORN_WORKERS=1 exec "$py" -m gunicorn --bind "127.0.0.1:$api_port" \
    app.wsgi:app) >"$workdir/gunicorn.log" 2>&1 &
  pids+=($!)
  expect_body "$(wait_for "$base/api/message" 200)" '"message":"through nginx"'
  expect_body "$(get "$base/no-such-page")" '404 {"error":"not found"}'
  grep -q '"uri":"/api/message","status":200' "$workdir/nginx.log" ||
    { echo "nginx access log lacks the JSON line for /api/message" >&2; exit 1; }
  echo "web: nginx on 127.0.0.1:$web_port proxies /api/ to gunicorn on 127.0.0.1:$api_port (503 JSON while it is down)"
fi

echo "example-app: all checks passed in $((SECONDS - started)) s"
