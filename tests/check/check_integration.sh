#!/bin/sh
# check_integration.sh UNROOT WORKLOAD.PY - `unroot baseline`, `check` and
# `diff` on real traces: a Python workload whose temp names, pids, hashes
# and HOME change on every run passes against the baseline of its first
# run; one new write path fails, naming exactly that path and program; the
# JUnit and GitHub outputs are valid; a hand-broken baseline is refused
# naming its line; a path holding "::set-output" and an ESC byte is escaped
# in every format; exit codes 0/1/2/3.
set -u
unroot=$1
workload=$(readlink -f "$2")
py=/usr/bin/python3
prog=$(basename "$(readlink -f $py)")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0
esc=$(printf '\033')

bad() {
	echo "FAIL: $*" >&2
	fail=1
}

# trace NAME HOME [ARGS...]: one run of the workload
trace() {
	name=$1 home=$2
	shift 2
	mkdir -p "$home"
	HOME=$home "$unroot" run -o "$tmp/$name" -- $py "$workload" "$tmp/w" \
		"$@" >/dev/null 2>"$tmp/$name.err" ||
		bad "unroot run $name: $(cat "$tmp/$name.err")"
}

# expect_exit WANT CMD...: run an unroot command, keep out/err
expect_exit() {
	want=$1
	shift
	"$unroot" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" = "$want" ] || {
		bad "unroot $*: exit $got, want $want"
		cat "$tmp/out" "$tmp/err" >&2
	}
}

valid_github() { # every line is a workflow command with escaped properties
	grep -Evq '^::(error|warning|notice)( [a-z]+=[^,:]*(,[a-z]+=[^,:]*)*)?::' "$1" &&
		bad "github output has a line that is not a workflow command: $(cat "$1")"
	[ -s "$1" ] || bad "github output is empty"
}

valid_junit() {
	$py -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$1" ||
		bad "junit output does not parse as XML: $(cat "$1")"
}

# ---- two runs with different temp names, pids, hashes and HOME: no change
trace t1 "$tmp/home-a"
trace t2 "$tmp/home-b"
expect_exit 0 baseline -o base.json t1
grep -q '"unroot_baseline": 1' base.json || bad "baseline has no version"
grep -q '"path": "~/.cache/workload/settings"' base.json ||
	bad "HOME not rebased: $(cat base.json)"
grep -q '{hex}' base.json && grep -q 'tmp{rand}' base.json &&
	grep -q 'app.{n}.pid' base.json && grep -q 'state.{rand}' base.json ||
	bad "names not generalised: $(cat base.json)"
expect_exit 0 check --baseline base.json t2
expect_exit 0 diff t1 t2
expect_exit 0 check --baseline base.json --format junit t2
valid_junit "$tmp/out"

# ---- one new write path: exactly it is reported, with its program
trace t3 "$tmp/home-c" --new
expect_exit 1 check --baseline base.json t3
[ "$(grep -c '^new ' "$tmp/out")" = 1 ] || bad "not exactly one new entry: $(cat "$tmp/out")"
grep -q "^new write: create $tmp/w/cache/surprise.db by $prog\[" "$tmp/out" ||
	bad "new path or program not named: $(cat "$tmp/out")"
grep -q "plan line: " "$tmp/out" || bad "no plan line"
grep -q "(python: .*workload.py:[0-9]* in " "$tmp/out" ||
	bad "the Python site of the new write is not named: $(cat "$tmp/out")"
expect_exit 1 check --baseline base.json --format junit t3
valid_junit "$tmp/out"
[ "$(grep -c '<failure' "$tmp/out")" = 1 ] || bad "junit: not one failure"
grep -q 'surprise.db' "$tmp/out" || bad "junit: path missing"
expect_exit 1 check --baseline base.json --format github t3
valid_github "$tmp/out"
grep -q '^::error file=base.json,title=unroot%3A new write::create .*surprise.db' "$tmp/out" ||
	bad "github: no error for the new path: $(cat "$tmp/out")"
expect_exit 1 check --baseline base.json --format json t3
$py -c 'import json,sys; d=json.load(open(sys.argv[1])); w=d["new_writes"]; assert len(w)==1 and w[0]["path"].endswith("/surprise.db") and w[0]["program"]==sys.argv[2] and w[0]["py_site"], d' \
	"$tmp/out" "$prog" || bad "json output"
expect_exit 1 diff t1 t3

# ---- --update accepts what was seen
cp base.json upd.json
expect_exit 0 check --baseline upd.json --update t3
expect_exit 0 check --baseline upd.json t3
grep -q 'surprise.db' upd.json || bad "--update did not add the new path"

# ---- a hand-broken baseline: the line is named
sed '6s/, "ops"/ "ops"/' base.json >broken.json
expect_exit 2 check --baseline broken.json t2
grep -q 'broken.json:6: broken JSON' "$tmp/err" || bad "broken baseline: $(cat "$tmp/err")"
sed '6s/"ops": \[[^]]*\]/"ops": "create"/' base.json >broken2.json
expect_exit 2 check --baseline broken2.json t2
grep -q 'broken2.json:6: writes entry' "$tmp/err" || bad "bad entry: $(cat "$tmp/err")"

# ---- a path with "::set-output" and ESC: escaped in every format
trace t4 "$tmp/home-d" --evil
for f in text json github junit; do
	expect_exit 1 check --baseline base.json --format $f t4
	grep -q "$esc" "$tmp/out" && bad "$f: raw ESC byte in the output"
	grep -q 'set-output' "$tmp/out" || bad "$f: evil path not reported"
	case $f in
	text) grep -q '^::' "$tmp/out" && bad "text: a line starts with ::" ;;
	github) valid_github "$tmp/out" ;;
	junit) valid_junit "$tmp/out" ;;
	json) $py -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any("::set-output name=x::\x1b[31mred" in w["path"] for w in d["new_writes"]), d' "$tmp/out" ||
		bad "json: path not exact" ;;
	esac
done

# ---- denials (a synthetic trace: as root the workload is never denied)
# deny DIR PATH...: a trace of nginx denied opening each PATH
deny() {
	mkdir -p "$1/log"
	d=$1
	shift
	{
		printf '{"t":"proc","v":1,"pid":7,"ppid":1,"ts":1,"exe":"/usr/sbin/nginx","argv0":"nginx","cwd":"/","uid":33,"euid":33,"gid":33,"egid":33,"groups":[],"ns":1,"rootfs":"1:2","env":{"HOME":"/var/www"},"stacks":false}\n'
		for p in "$@"; do
			printf '{"t":"ev","op":"open","fn":"open64","path":"%s","flags":"O_WRONLY|O_CREAT","ret":-1,"errno":"EACCES","pid":7,"tid":7,"ts":2,"uid":33,"gid":33,"st":null}\n' "$p"
		done
	} >"$d/log/7-1.jsonl"
}
deny d1 /var/cache/nginx/client_temp/0000000001
deny d2 /var/cache/nginx/client_temp/0000000007 /var/www/.cache/x
expect_exit 0 baseline -o deny.json d1
grep -q '"denials": \[$' deny.json &&
	grep -q '{"path": "/var/cache/nginx/client_temp/{n}", "ops": \["open"\], "programs": \["nginx"\]}' deny.json ||
	bad "denial not in the baseline: $(cat deny.json)"
expect_exit 1 check --baseline deny.json d2
[ "$(grep -c '^new ' "$tmp/out")" = 1 ] &&
	grep -q '^new denial: open /var/www/.cache/x (EACCES) by nginx\[7\]; pattern ~/.cache/x' "$tmp/out" ||
	bad "new denial not reported: $(cat "$tmp/out")"

# ---- damaged traces: a cut last record is a warning; nothing readable is 3
# (the last log of a pack, when unroot run packed them all: SCHEMA.md)
for f in t2/log/*.jsonl t2/log/*.pack; do
	[ -f "$f" ] || continue
	truncate -s -3 "$f"
	break
done
expect_exit 0 check --baseline base.json t2
mkdir -p empty/log
expect_exit 3 check --baseline base.json empty
expect_exit 3 check --baseline base.json no-such-dir

# ---- usage, and never replacing a file that is not a baseline
expect_exit 2 check --baseline base.json --format xml t2
expect_exit 2 diff t1
echo 'not a baseline' >unroot-baseline.json
expect_exit 1 baseline t1
grep -q 'not a baseline' unroot-baseline.json || bad "baseline replaced a foreign file"
expect_exit 0 baseline -o unroot-baseline.json t1
expect_exit 0 baseline t1

[ $fail = 0 ] && echo "check_integration: all passed"
exit $fail
