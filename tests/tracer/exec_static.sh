# exec_static.sh BIN HELPER UNROOT PRELOAD root|uid1001 - under `unroot
# run`, a shell script that runs a static program (from dash's vfork
# child) and then execs another gets both traced through the fallback
# tracer, not said untraced: the exec'd one keeps the shell's pid, a
# program exec'd with another argv[0] keeps it, and outputs and exit
# statuses (a program killed by SIGTERM) are those of a run without unroot.
. "$(dirname "$0")/lib.sh"
stage_unroot "$1" "$2"
USER=$3
RUN=""
W=$T/w
mkdir "$W" "$T/tr"
if [ "$USER" = uid1001 ]; then
	chown 1001:1001 "$W" "$T/tr"
	RUN=as_user
fi
cat >"$T/job.sh" <<'SH'
#!/bin/sh
"$1/signals" ignore
exec "$1/workload" "$2" "$2"
SH
chmod 755 "$T/job.sh"

out=$(cd "$T" && $RUN "$U" run -o "$T/tr/a" -- sh "$T/job.sh" "$T/bin" "$W" \
	2>"$T/err") || fail "status $?: $out $(cat "$T/err")"
echo "$out"
cat "$T/err"
echo "$out" | grep -q "signals: SIGUSR1 ignored" || fail "no output of signals"
echo "$out" | grep -q "workload: ok" || fail "the exec'd program failed"
grep -q "NOT TRACED" "$T/err" && fail "said untraced"
specs="mixed preload:exec=$T/bin/signals preload:exec=$T/bin/workload"
for n in t0 t1 t2 t3 child; do
	specs="$specs ptrace:mkdir=$W/$n ptrace:unlink=$W/$n/g"
done
# shellcheck disable=SC2086
python3 "$HERE/expect.py" "$T/tr/a/log" $specs || fail "records missing"
# the exec'd program is the shell's process: one pid, two images
python3 - "$T/tr/a/log" "$T/bin/workload" "$HERE/../../scripts" <<'PY' || fail "pid not kept"
import json, sys
sys.path.insert(0, sys.argv[3])
import logcat
procs = [json.loads(d.split(b"\n")[0]) for _, d in logcat.units(sys.argv[1])]
sh = [p for p in procs if p["exe"].endswith("/dash")]
wl = [p for p in procs if p["exe"] == sys.argv[2] and p.get("tracer") == "ptrace"]
assert any(w["pid"] == s["pid"] for w in wl for s in sh), (sh, wl)
assert not any(p["exe"].endswith("unroot-ptrace") for p in procs)
PY

# argv[0] as the caller chose it
command -v bash >/dev/null || skip "bash is missing (exec -a)"
rm -rf "${W:?}"/*
# shellcheck disable=SC2016 # expanded by bash -c
$RUN "$U" run -o "$T/tr/b" -- bash -c 'exec -a renamed "$0" "$1" "$1"' \
	"$T/bin/workload" "$W" >/dev/null 2>&1 || fail "status $? with exec -a"
"$LOGCAT" "$T/tr/b/log" | grep '"t":"proc"' | grep '"tracer":"ptrace"' |
	grep -q '"argv0":"renamed"' || fail "argv[0] was not kept"

# statuses: a program killed by SIGTERM, as without unroot
sh -c "$T/bin/signals killed" >/dev/null 2>&1
bare=$?
$RUN "$U" run -o "$T/tr/c" -- sh -c "$T/bin/signals killed; exit \$?" \
	>/dev/null 2>&1
traced=$?
[ "$bare" -eq "$traced" ] || fail "status $traced under unroot, $bare bare"
python3 "$HERE/expect.py" "$T/tr/c/log" mixed "preload:exec=$T/bin/signals" ||
	fail "records missing"
"$LOGCAT" "$T/tr/c/log" | grep -q '"tracer":"ptrace"' ||
	fail "the killed program was not traced"
say "ok"
