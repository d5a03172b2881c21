#!/bin/sh
# tempname_integration.sh UNROOT RUNS_TOOL [RUNS] - baselines of real
# programs that write temporary names do not cry wolf.  Each workload
# (Python's tempfile, mktemp -d, git, sqlite3) runs RUNS times (default 3)
# under `unroot run`, as root and as uid 1001, then:
#   - a baseline of run 1 (`unroot baseline`) checked against runs 2..RUNS
#     (`unroot check`) reports at most one new pattern per workload;
#   - a baseline of runs 1 and 2 aligned (RUNS_TOOL runs, the service of
#     `unroot baseline --runs`) reports nothing new in runs 3..RUNS;
#   - the run-1 baseline widened by run 2 (RUNS_TOOL update, the service of
#     `unroot check --update`) reports nothing new in runs 3..RUNS;
#   - one more run injects a new write path, a new random-looking name
#     beside the generalised ones, and (as uid 1001) a new denial: each is
#     reported.
# Prints one table row per workload and user (docs/baseline.md keeps the
# measured table).  Exit 77 when a program it needs is missing.
set -u
unroot=$1
tool=$2
nruns=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
job=$here/tempname_job.py
py=/usr/bin/python3
for p in $py git sqlite3 mktemp; do
	command -v "$p" >/dev/null 2>&1 || {
		echo "SKIP: $p not installed"
		exit 77
	}
done
tmp=$(mktemp -d /tmp/unroot-tempname.XXXXXX)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() {
	echo "FAIL: $*" >&2
	fail=1
}

# The job of a workload in workspace WS; INJECT=1 adds the injections.
job_of() { # WORKLOAD WS
	case $1 in
	py) echo "$py $job $2" ;;
	mk) echo "sh -c 'd=\$(mktemp -d /tmp/x.XXXXXXXXXX) && echo hi >\"\$d/f\" && rm -rf \"\$d\"'" ;;
	git) echo "sh -c 'cd $2 && git init -q repo && cd repo && echo a >f && git add f && git -c user.name=t -c user.email=t@example.org commit -qm one && echo b >>f && git -c user.name=t -c user.email=t@example.org commit -qam two'" ;;
	sql) echo "sqlite3 $2/db.sqlite 'create table t(x); insert into t values(1); begin; insert into t values(2); commit;'" ;;
	esac
}

# The injections: a new path in the workspace, a random-looking name with
# a new stable part beside the generalised ones in /tmp, a denial.
inject_of() { # WS
	echo "sh -c 'echo x >$1/surprise.txt; echo x >\$(mktemp -u /tmp/unroot-inj.XXXXXXXXXX).new; echo x >$tmp/ro/denied 2>/dev/null; true'"
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
	cmd=$(job_of "$w" "$ws")
	[ -n "${4:-}" ] && cmd="$cmd; $(inject_of "$ws")"
	as "$u" "$d/home" "$unroot run -o $d/$w.$n -- sh -c \"$(echo "$cmd" | sed 's/["\\$]/\\&/g')\"" \
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

printf '%-5s %-5s %5s %8s %8s %8s %8s\n' user job runs one-run two-run update injected
for u in root 1001; do
	if [ "$u" = 1001 ] && { [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; }; then
		echo "uid 1001: not run (needs root and setpriv)"
		continue
	fi
	d=$tmp/$u
	mkdir -p "$d/home" "$tmp/ro"
	[ "$u" = root ] || chown 1001:1001 "$d" "$d/home"
	for w in py mk git sql; do
		i=1
		while [ $i -le "$nruns" ]; do
			trace "$u" "$w" "$i"
			i=$((i + 1))
		done
		trace "$u" "$w" inject 1
		"$unroot" baseline -o "$d/$w.one.json" "$d/$w.1" 2>/dev/null ||
			bad "$u $w: unroot baseline"
		one=$(count_new "$d/$w.one.json" "$u" "$w" 2)
		"$tool" runs "$d/$w.two.json" "$d/$w.1" "$d/$w.2" ||
			bad "$u $w: runs_tool runs"
		two=$(count_new "$d/$w.two.json" "$u" "$w" 3)
		cp "$d/$w.one.json" "$d/$w.upd.json"
		"$tool" update "$d/$w.upd.json" "$d/$w.2" ||
			bad "$u $w: runs_tool update"
		upd=$(count_new "$d/$w.upd.json" "$u" "$w" 3)
		new_patterns "$d/$w.two.json" "$d/$w.inject" >"$tmp/inj"
		want="surprise.txt /tmp/unroot-inj."
		[ "$u" = root ] || want="$want ro/denied"
		found=0 nwant=0
		for x in $want; do
			nwant=$((nwant + 1))
			if grep -qF "$x" "$tmp/inj"; then
				found=$((found + 1))
			else
				bad "$u $w: injection $x not reported: $(cat "$tmp/inj")"
			fi
		done
		printf '%-5s %-5s %5s %8s %8s %8s %8s\n' "$u" "$w" "$nruns" "$one" "$two" "$upd" "$found/$nwant"
		[ "$one" -le 1 ] || {
			bad "$u $w: $one new patterns from a one-run baseline"
			"$tool" explain "$d/$w.one.json" "$d/$w.2" >&2
		}
		[ "$two" = 0 ] || {
			bad "$u $w: $two new patterns from a two-run baseline"
			"$tool" explain "$d/$w.two.json" "$d/$w.3" >&2
		}
		[ "$upd" = 0 ] || bad "$u $w: $upd new patterns after update"
	done
done
# A baseline that has a temporary name literally (an older baseline, or a
# run whose token the rules missed): check explains the new name, and the
# update widens that entry instead of adding a sibling.
d=$tmp/root
sed 's|"/tmp/job-{rand}|"/tmp/job-abcdefgh|' "$d/py.one.json" >"$d/py.lit.json"
grep -q '"/tmp/job-abcdefgh/out.txt"' "$d/py.lit.json" || bad "no literal entry: $(cat "$d/py.lit.json")"
"$tool" explain "$d/py.lit.json" "$d/py.2" >"$tmp/explain"
grep -q '^new write: /tmp/job-{rand}; looks like a temporary name the baseline has as /tmp/job-abcdefgh (widened: /tmp/job-{rand})$' "$tmp/explain" &&
	grep -q '^new write: /tmp/job-{rand}/out.txt; looks like a temporary name the baseline has as /tmp/job-abcdefgh/out.txt' "$tmp/explain" ||
	bad "not explained: $(cat "$tmp/explain")"
entries=$(grep -c '"path"' "$d/py.lit.json")
"$tool" update "$d/py.lit.json" "$d/py.2" || bad "runs_tool update"
[ "$(grep -c '"path"' "$d/py.lit.json")" = "$entries" ] &&
	! grep -q 'job-abcdefgh' "$d/py.lit.json" ||
	bad "update added a sibling instead of widening: $(cat "$d/py.lit.json")"
"$unroot" check --baseline "$d/py.lit.json" "$d/py.3" >/dev/null 2>&1 ||
	bad "the widened baseline flags run 3"

[ $fail = 0 ] && echo "tempname_integration: all passed"
exit $fail
