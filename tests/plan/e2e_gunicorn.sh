#!/bin/sh
# e2e_gunicorn.sh - gunicorn serving a three-line WSGI app from a
# root-owned /app on loopback: one request (python urllib), then TERM.
# Its worker heartbeat files are made (and unlinked at once) in /tmp, the
# default --worker-tmp-dir: world-writable and sticky, so they need
# nothing; the app's bytecode in /app/__pycache__ is compiled at build
# time (the python-bytecode entry).  The plan must not grant anything on
# /tmp or /app, and the user's run must serve the request.
set -eu
. "$(dirname "$0")/lib_e2e.sh"
command -v gunicorn >/dev/null 2>&1 || skip "gunicorn not installed"

fixdir "$IMG/app"
cat >"$IMG/app/hello.py" <<'PY'
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello\n"]
PY
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$IMG/app/serve.sh" <<EOF2
#!/bin/sh
cd "$IMG/app"
gunicorn --bind 127.0.0.1:$PORT --workers 1 hello:app &
pid=\$!
$PY - <<'PY' || { kill -TERM \$pid; wait \$pid; exit 1; }
import time, urllib.request
for i in range(100):
    try:
        body = urllib.request.urlopen("http://127.0.0.1:$PORT/", timeout=2).read()
        break
    except OSError:
        time.sleep(0.1)
else:
    raise SystemExit("gunicorn did not answer")
assert body == b"hello\n", body
print("served:", body.decode().strip())
PY
kill -TERM \$pid
wait \$pid
EOF2
chmod 644 "$IMG/app/hello.py"
chmod 755 "$IMG/app/serve.sh"

profile "$IMG/app/serve.sh"
grep -q 'wgunicorn-' "$S/trace-root"/* 2>/dev/null ||
	"$UNROOT" report --json "$S/trace-root" | grep -q 'wgunicorn-' ||
	fail "no gunicorn heartbeat file in the trace"
make_plan
grep -v '^#' "$S/plan.sh" | grep -q "chown.*'/tmp'\|chown.*img/app'" &&
	fail "the plan grants /tmp or /app"
rm -rf "$IMG/app/__pycache__"
apply_plan
for p in $(cat "$S/changed"); do
	case "$p" in
	"$IMG/app/__pycache__" | "$IMG/app/__pycache__/"*.pyc) ;;
	*) fail "the plan changed $p" ;;
	esac
done
run_user "$IMG/app/serve.sh"
assert_stat "$IMG/app" "0:0 755"
echo "PASS $E2E_NAME"
