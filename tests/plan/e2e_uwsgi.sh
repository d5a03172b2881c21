#!/bin/sh
# e2e_uwsgi.sh - uWSGI (Debian's uwsgi-core and its python3 plugin), a
# native program that embeds Python, serves a WSGI application from a
# root-owned /app whose module it imports.  Debian runs it as
# /usr/bin/uwsgi, a link (through the alternatives) to uwsgi-core, the
# executable the trace names.  The plan must know the bytecode it writes
# in /app/__pycache__ for CPython's (the catalogue's python-bytecode entry
# names uwsgi), compile it at build time with the Python its stack shows
# (python3.11, not uwsgi-core), and never make /app writable; the user's
# run then answers with zero denials.
set -eu
. "$(dirname "$0")/lib_e2e.sh"
command -v uwsgi >/dev/null 2>&1 || skip "uwsgi not installed"
[ -e /usr/lib/uwsgi/plugins/python3_plugin.so ] ||
	skip "uwsgi-plugin-python3 not installed"
command -v curl >/dev/null 2>&1 || skip "curl not installed"

A=$IMG/app
fixdir "$A"
printf 'def msg():\n    return "hello from uwsgi"\n' >"$A/helper.py"
cat >"$A/app.py" <<'PY'
import helper


def application(env, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [helper.msg().encode()]
PY
chmod 644 "$A/helper.py" "$A/app.py"
# a unix socket of this run's own in /tmp (no port another test holds)
sock=/tmp/unroot-e2e-uwsgi.$$.sock
cat >"$A/serve.sh" <<SH
#!/bin/sh
# start uwsgi as the image's command would, ask it once, stop it
rm -f $sock
uwsgi --plugin python3 --http-socket $sock --chdir $A \\
	--wsgi-file app.py --master --processes 2 --die-on-term &
pid=\$!
for _ in \$(seq 300); do
	page=\$(curl -sf --unix-socket $sock http://localhost/) && break
	sleep 0.1
done
kill -TERM "\$pid"
wait "\$pid" || true
rm -f $sock
[ "\$page" = "hello from uwsgi" ]
SH
chmod 755 "$A/serve.sh"

profile "$A/serve.sh"
[ -d "$A/__pycache__" ] || fail "uwsgi wrote no bytecode as root"
"$UNROOT" report --json "$S/trace-root" | grep -q '"exe": *"/usr/bin/uwsgi-core"' ||
	"$UNROOT" report "$S/trace-root" | grep -q 'uwsgi-core' ||
	fail "the trace does not name uwsgi-core"
make_plan
grep -q "^python3\.[0-9]* -m compileall -q \"\$R\"'$A'\$" "$S/plan.sh" ||
	fail "the plan does not compile the bytecode with the Python uwsgi embeds"
grep -v '^#' "$S/plan.sh" | grep -q "chown.*$A" &&
	fail "the plan makes the application's directory writable"
rm -rf "$A/__pycache__"
apply_plan
for p in $(cat "$S/changed"); do
	case "$p" in
	"$A/__pycache__" | "$A/__pycache__/"*) ;;
	*) fail "the plan changed $p" ;;
	esac
done
assert_stat "$A/__pycache__" "0:0 755"
run_user "$A/serve.sh"
assert_stat "$A" "0:0 755"
echo "PASS $E2E_NAME"
