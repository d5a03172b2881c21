#!/bin/sh
# tempname_integration.sh UNROOT UNROOT_PTRACE [RUNS] - baselines of real
# programs that write temporary names do not cry wolf.  Each workload of
# the corpus (docs/baseline.md, "Measured") runs RUNS times (default 3)
# under `unroot run`, as root and, for some, as uid 1001, then:
#   - a baseline of run 1 (`unroot baseline`) checked against runs 2..RUNS
#     (`unroot check`) reports at most one new pattern per workload;
#   - a baseline of runs 1 and 2 (`unroot baseline --runs`) reports nothing
#     new in runs 3..RUNS;
#   - the run-1 baseline widened by run 2 (`unroot check --update`)
#     reports nothing new in runs 3..RUNS;
#   - one more run injects a new write in a stable place, a version bump
#     (format-v1.dat becomes format-v2.dat), a random-looking name with a
#     new stable part beside the generalised ones in /tmp and, as uid 1001,
#     a new denial: each is reported against the two-run baseline.
# WORKLOADS (environment) limits the corpus to some of its names; KEEP=1
# keeps the traces and baselines (the path is printed).  Prints
# one table row per workload and user.  Exit 77 when a program the corpus
# needs is missing.
set -u
unroot=$1
ptrace=$2 # the static Go job is handed to it by the preload's exec
[ -x "$ptrace" ] || { echo "FAIL: no fallback tracer $ptrace" >&2; exit 1; }
nruns=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
all="py mk git sql pip mpl nginx sup gunicorn node go java"
workloads=${WORKLOADS:-$all}
users1001="py mk git sql mpl node"
for p in $py git sqlite3 mktemp curl nginx supervisord gunicorn node go javac java; do
	command -v "$p" >/dev/null 2>&1 || {
		echo "SKIP: $p not installed"
		exit 77
	}
done
$py -c 'import matplotlib' 2>/dev/null || {
	echo "SKIP: python3-matplotlib not installed"
	exit 77
}
tmp=$(mktemp -d /tmp/unroot-tempname.XXXXXX)
chmod 755 "$tmp"
# uid 1001 runs a copy of unroot it can reach (the build tree may not be)
. "$here/../common/stage.sh"
unroot1001=$(stage_unroot "$unroot" "$tmp/stage" "$here/../../cli/data")
# (the injections' names in /tmp are this test's alone: removed too)
[ -n "${KEEP:-}" ] && echo "keeping $tmp" ||
	trap 'rm -rf "$tmp"; rm -f /tmp/unroot-inj.*.new' EXIT
fail=0
bad() {
	echo "FAIL: $*" >&2
	fail=1
}

# ---- what the jobs need, made once: a Go and a Java program, a wheel ----
mkdir -p "$tmp/bin" "$tmp/ro"
chmod 755 "$tmp/bin"
(cd "$here" && HOME=$tmp GOCACHE=$tmp/gocache GOFLAGS=-mod=mod CGO_ENABLED=0 \
	go build -o "$tmp/bin/gojob" tempname_job.go) || bad "go build"
javac -d "$tmp/bin" "$here/TempnameJob.java" || bad "javac"
cp "$here/tempname_wsgi.py" "$here/tempname_job.js" "$here/tempname_job.py" "$tmp/bin/"
$py - "$tmp/bin" <<'EOF' || bad "making the wheel"
import sys, zipfile
w = sys.argv[1] + "/unroot_demo-1.0-py3-none-any.whl"
files = {
    "unroot_demo/__init__.py": "X = 1\n",
    "unroot_demo-1.0.dist-info/METADATA":
        "Metadata-Version: 2.1\nName: unroot-demo\nVersion: 1.0\n",
    "unroot_demo-1.0.dist-info/WHEEL":
        "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
}
rec = "".join(f"{n},,\n" for n in files) + "unroot_demo-1.0.dist-info/RECORD,,\n"
with zipfile.ZipFile(w, "w") as z:
    for n, s in files.items():
        z.writestr(n, s)
    z.writestr("unroot_demo-1.0.dist-info/RECORD", rec)
EOF
chmod -R a+rX "$tmp/bin"

# Wait (up to 10 s) until FILE is gone: a daemon finished stopping.
gone='for i in $(seq 200); do [ -e "$0" ] || exit 0; sleep 0.05; done; exit 1'

# The job of a workload in workspace WS (the same path in every run).
job_of() { # WORKLOAD WS
	case $1 in
	py) echo "$py $tmp/bin/tempname_job.py $2" ;;
	mk) echo "d=\$(mktemp -d /tmp/x.XXXXXXXXXX) && echo hi >\"\$d/f\" && rm -rf \"\$d\"" ;;
	git) echo "cd $2 && git init -q repo && cd repo && echo a >f && git add f && git -c user.name=t -c user.email=t@example.org commit -qm one && echo b >>f && git -c user.name=t -c user.email=t@example.org commit -qam two" ;;
	sql) echo "sqlite3 $2/db.sqlite 'create table t(x); insert into t values(1); begin; insert into t values(2); commit;'" ;;
	pip) echo "$py -m pip install -q --no-index --no-cache-dir --disable-pip-version-check --target $2/site $tmp/bin/unroot_demo-1.0-py3-none-any.whl" ;;
	mpl) echo "HOME=/proc MPLBACKEND=Agg $py -c 'import matplotlib.pyplot as p; p.plot([1, 2]); p.savefig(\"$2/plot.png\")'" ;;
	nginx)
		echo "p=\$(mktemp -d /tmp/ngx.XXXXXXXX) && mkdir \$p/logs && printf '%s\n' 'pid nginx.pid;' 'events {}' 'http { access_log logs/access.log; client_body_temp_path body; server { listen unix:'\$p'/s.sock; location / { return 200 ok; } } }' >\$p/nginx.conf && nginx -p \$p/ -e logs/error.log -c nginx.conf && curl -s --unix-socket \$p/s.sock http://x/ >$2/got && nginx -p \$p/ -e logs/error.log -c nginx.conf -s quit && sh -c '$gone' \$p/nginx.pid && rm -rf \$p"
		;;
	sup)
		echo "printf '%s\n' '[supervisord]' 'logfile=$2/sup.log' 'pidfile=$2/sup.pid' 'childlogdir=$2' '[program:web]' 'command=sh -c \"echo hi; echo err >&2; sleep 0.3\"' 'startsecs=0' 'autorestart=false' >$2/sup.conf && supervisord -c $2/sup.conf && sleep 1 && kill \$(cat $2/sup.pid) && sh -c '$gone' $2/sup.pid"
		;;
	gunicorn) echo "gunicorn --daemon --pid $2/g.pid --bind unix:$2/g.sock --chdir $tmp/bin --log-file $2/g.log tempname_wsgi:app && for i in \$(seq 200); do [ -S $2/g.sock ] && break; sleep 0.05; done && curl -s --unix-socket $2/g.sock http://x/ >$2/got && kill \$(cat $2/g.pid) && sh -c '$gone' $2/g.pid" ;;
	node) echo "node $tmp/bin/tempname_job.js" ;;
	go) echo "$tmp/bin/gojob" ;;
	java) echo "java -cp $tmp/bin TempnameJob" ;;
	esac
}

# Every run also writes its data format's file; the injection bumps it.
epilogue() { echo "echo x >$1/format-v1.dat"; }

# The injections: a new path in the workspace, a version bump, a
# random-looking name with a new stable part beside the generalised ones
# in /tmp, a denial (reported as uid 1001).
inject_of() { # WS
	echo "echo x >$1/surprise.txt; echo x >$1/format-v2.dat; echo x >\$(mktemp -u /tmp/unroot-inj.XXXXXXXXXX).new; echo x >$tmp/ro/denied 2>/dev/null; true"
}

# as USER: run a command line (root: directly; 1001: setpriv)
as() { # USER HOME CMDLINE
	if [ "$1" = root ]; then
		env HOME="$2" sh -c "$3"
	else
		setpriv --reuid=1001 --regid=1001 --clear-groups \
			env HOME="$2" PATH=/usr/local/bin:/usr/bin:/bin sh -c "$3"
	fi
}

# trace USER W N [INJECT]: one run into $tmp/USER/W.N
trace() {
	u=$1 w=$2 n=$3
	d=$tmp/$u
	ws=$d/ws-$w
	rm -rf "$ws"
	mkdir -p "$ws"
	[ "$u" = root ] || chown 1001:1001 "$ws"
	cmd="($(job_of "$w" "$ws")) && $(epilogue "$ws")"
	[ -n "${4:-}" ] && cmd="$cmd; $(inject_of "$ws")"
	run=$unroot
	[ "$u" = root ] || run=$unroot1001
	as "$u" "$d/home" "$run run -o $d/$w.$n -- sh -c \"$(echo "$cmd" | sed 's/["\\$]/\\&/g')\"" \
		>"$d/$w.$n.out" 2>&1 || bad "$u $w run $n: $(cat "$d/$w.$n.out")"
}

# new_patterns BASELINE TRACE: the patterns `unroot check` reports, one a line
new_patterns() {
	"$unroot" check --baseline "$1" --format json "$2" >"$tmp/check.json" 2>"$tmp/check.err"
	rc=$?
	[ $rc -le 1 ] || bad "unroot check $2: exit $rc: $(cat "$tmp/check.err")"
	$py -c 'import json,sys
d = json.load(open(sys.argv[1]))
for e in d["new_writes"] + d["new_denials"]:
    print(e["pattern"])' "$tmp/check.json"
}

# distinct new patterns over runs FROM..nruns
count_new() { # BASELINE USER W FROM
	n=$4
	: >"$tmp/new"
	while [ "$n" -le "$nruns" ]; do
		new_patterns "$1" "$tmp/$2/$3.$n" >>"$tmp/new"
		n=$((n + 1))
	done
	sort -u "$tmp/new" | grep -c . || true
}

# measure USER W: the runs, the three baselines, the counts, the injections
measure() {
	u=$1 w=$2 d=$tmp/$1
	i=1
	while [ $i -le "$nruns" ]; do
		trace "$u" "$w" "$i"
		i=$((i + 1))
	done
	trace "$u" "$w" inject 1
	"$unroot" baseline -o "$d/$w.one.json" "$d/$w.1" 2>/dev/null ||
		bad "$u $w: unroot baseline"
	one=$(count_new "$d/$w.one.json" "$u" "$w" 2)
	"$unroot" baseline --runs -o "$d/$w.two.json" "$d/$w.1" "$d/$w.2" 2>/dev/null ||
		bad "$u $w: unroot baseline --runs"
	two=$(count_new "$d/$w.two.json" "$u" "$w" 3)
	cp "$d/$w.one.json" "$d/$w.upd.json"
	"$unroot" check --update --baseline "$d/$w.upd.json" "$d/$w.2" >/dev/null 2>&1 ||
		bad "$u $w: unroot check --update"
	upd=$(count_new "$d/$w.upd.json" "$u" "$w" 3)
	new_patterns "$d/$w.two.json" "$d/$w.inject" >"$tmp/inj"
	want="ws-$w/surprise.txt ws-$w/format-v2.dat /tmp/unroot-inj."
	[ "$u" = root ] || want="$want /ro/denied"
	found=0 nwant=0
	for x in $want; do
		nwant=$((nwant + 1))
		if grep -qF "$x" "$tmp/inj"; then
			found=$((found + 1))
		else
			bad "$u $w: injection $x not reported: $(cat "$tmp/inj")"
		fi
	done
	printf '%-5s %-9s %5s %8s %8s %8s %8s\n' "$u" "$w" "$nruns" "$one" "$two" "$upd" "$found/$nwant"
	[ "$one" -le 1 ] || {
		bad "$u $w: $one new patterns from a one-run baseline"
		"$unroot" check --baseline "$d/$w.one.json" "$d/$w.2" >&2
	}
	[ "$two" = 0 ] || {
		bad "$u $w: $two new patterns from a two-run baseline"
		"$unroot" check --baseline "$d/$w.two.json" "$d/$w.3" >&2
	}
	[ "$upd" = 0 ] || bad "$u $w: $upd new patterns after update"
}

printf '%-5s %-9s %5s %8s %8s %8s %8s\n' user workload runs one-run two-run update injected
for u in root 1001; do
	if [ "$u" = 1001 ] && { [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; }; then
		echo "uid 1001: not run (needs root and setpriv)"
		continue
	fi
	d=$tmp/$u
	mkdir -p "$d/home"
	[ "$u" = root ] || chown 1001:1001 "$d" "$d/home"
	for w in $workloads; do
		[ "$u" = root ] || case " $users1001 " in *" $w "*) ;; *) continue ;; esac
		measure "$u" "$w"
	done
done
if case " $workloads " in *" py "*) false ;; *) true ;; esac; then
	[ $fail = 0 ] && echo "tempname_integration: all passed"
	exit $fail
fi
# A baseline that has a temporary name literally (an older baseline, or a
# run whose token the rules missed): check explains the new name, and the
# update widens that entry instead of adding a sibling.
d=$tmp/root
sed 's|"/tmp/job-{rand}|"/tmp/job-abcdefgh|' "$d/py.one.json" >"$d/py.lit.json"
grep -q '"/tmp/job-abcdefgh/out.txt"' "$d/py.lit.json" || bad "no literal entry: $(cat "$d/py.lit.json")"
"$unroot" check --baseline "$d/py.lit.json" "$d/py.2" >"$tmp/explain"
[ $? = 1 ] || bad "check of a literal temporary name did not exit 1"
grep -q '^new write: .*; pattern /tmp/job-{rand}; .*; looks like a temporary name the baseline has as /tmp/job-abcdefgh (both are /tmp/job-{rand}: check --update widens it)$' "$tmp/explain" &&
	grep -q '; pattern /tmp/job-{rand}/out.txt; .*looks like a temporary name the baseline has as /tmp/job-abcdefgh/out.txt' "$tmp/explain" ||
	bad "not explained: $(cat "$tmp/explain")"
entries=$(grep -c '"path"' "$d/py.lit.json")
"$unroot" check --update --baseline "$d/py.lit.json" "$d/py.2" >/dev/null 2>&1 || bad "unroot check --update"
[ "$(grep -c '"path"' "$d/py.lit.json")" = "$entries" ] &&
	! grep -q 'job-abcdefgh' "$d/py.lit.json" ||
	bad "update added a sibling instead of widening: $(cat "$d/py.lit.json")"
"$unroot" check --baseline "$d/py.lit.json" "$d/py.3" >/dev/null 2>&1 ||
	bad "the widened baseline flags run 3"

# Bad input names the argument: --runs with one directory, an unknown
# directory, an unreadable baseline.
"$unroot" baseline --runs -o "$tmp/x.json" "$d/py.1" 2>"$tmp/err"
[ $? = 2 ] && grep -q -- '--runs needs two or more' "$tmp/err" || bad "--runs with one dir: $(cat "$tmp/err")"
"$unroot" baseline --runs -o "$tmp/x.json" "$d/py.1" "$tmp/no-such-dir" 2>"$tmp/err"
[ $? = 3 ] && grep -q "$tmp/no-such-dir" "$tmp/err" && [ ! -e "$tmp/x.json" ] ||
	bad "--runs with an unknown dir: $(cat "$tmp/err")"
echo '{"unroot_baseline": 1, "writes": [' >"$tmp/broken.json"
"$unroot" check --update --baseline "$tmp/broken.json" "$d/py.1" 2>"$tmp/err" >/dev/null
[ $? = 2 ] && grep -q "$tmp/broken.json" "$tmp/err" || bad "a broken baseline: $(cat "$tmp/err")"

[ $fail = 0 ] && echo "tempname_integration: all passed"
exit $fail
