#!/bin/sh
# e2e_options_parse_alike.sh BUILD - every command reads its options
# through one parser (cli/opt.c), so the same spelling rules hold
# everywhere: --name VALUE, --name=VALUE, -oVALUE and options after the
# operands give the same result; a flag given a value, an option without
# its value and an unknown --format are usage errors naming the option
# (the formats listed from the command's table); --json is --format json;
# every --help starts with the usage line and lists each option once.
set -u
build=$1
unroot=$build/bin/unroot
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
t=$tmp/trace
mkdir "$t"
cp "$src/tests/fuzz/corpus/fuzz_plan/sh-all" "$t/sh-all.jsonl" || exit 1

# same OUT-NAME ARGS...: the output of unroot ARGS, compared with the first
same() {
	name=$1
	shift
	"$unroot" "$@" >"$tmp/$name.new" 2>/dev/null ||
		{ echo "FAIL: unroot $*: exit $?" >&2; fail=1; }
	if [ -f "$tmp/$name" ]; then
		cmp -s "$tmp/$name" "$tmp/$name.new" ||
			{ echo "FAIL: unroot $* differs from the first spelling" >&2; fail=1; }
	else
		mv "$tmp/$name.new" "$tmp/$name"
		[ -s "$tmp/$name" ] || { echo "FAIL: unroot $*: no output" >&2; fail=1; }
	fi
}

same plan.sh plan --format sh "$t"
same plan.sh plan --format=sh "$t"
same plan.sh plan "$t" --format sh
same plan.sh plan --format sh -- "$t"
same plan.uid plan --uid 2000 --openshift "$t"
same plan.uid plan "$t" --openshift --uid=2000
same report.json report --format json "$t"
same report.json report --format=json "$t"
same report.json report --json "$t"
same report.json report "$t" --json
same check.junit diff --format junit "$t" "$t"
same check.junit diff "$t" "$t" --format=junit

"$unroot" run -o"$tmp/r1" -- true >/dev/null 2>&1
[ -f "$tmp/r1/trace.json" ] || { echo "FAIL: run -oDIR made no trace" >&2; fail=1; }
"$unroot" run --output="$tmp/r2" true >/dev/null 2>&1
[ -f "$tmp/r2/trace.json" ] || { echo "FAIL: run --output=DIR made no trace" >&2; fail=1; }

# usage STATUS TEXT ARGS...: a usage error naming TEXT
usage() {
	want=$1 text=$2
	shift 2
	"$unroot" "$@" >/dev/null 2>"$tmp/err"
	got=$?
	[ "$got" = "$want" ] || { echo "FAIL: unroot $*: exit $got, want $want" >&2; fail=1; }
	grep -qF -- "$text" "$tmp/err" ||
		{ echo "FAIL: unroot $*: no \"$text\" in:" >&2; cat "$tmp/err" >&2; fail=1; }
}
usage 2 "option '--openshift' takes no value" plan --openshift=1 "$t"
usage 2 "option '--uid' needs a value" plan "$t" --uid
usage 2 "option '-o' needs a value" baseline -o
usage 2 "dockerfile, sh, env, json, k8s, pod, compose, not 'xml'" plan --format xml "$t"
usage 2 "text, json, github, junit, not 'xml'" check --format xml "$t"
usage 2 "text, json, not 'xml'" report --format=xml "$t"
usage 2 "unknown option '--nope'; see 'unroot check --help'" check "$t" --nope
usage 125 "option '-o' needs a value" run -o
usage 125 "unknown option '--nope'; see 'unroot docker --help'" docker --nope run x

for cmd in run report plan apply docker harden baseline check diff; do
	"$unroot" $cmd --help >"$tmp/help" 2>&1 ||
		{ echo "FAIL: unroot $cmd --help: exit $?" >&2; fail=1; }
	head -1 "$tmp/help" | grep -q "^usage: unroot $cmd " ||
		{ echo "FAIL: unroot $cmd --help: no usage line" >&2; fail=1; }
	# each long option of the list once in the list and in the usage
	for opt in $(grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' "$tmp/help" | sed 's/.*--/--/' | sort -u); do
		[ "$opt" = --help ] && continue
		n=$(grep -cE "^ +(-[a-zA-Z], )?$opt( |\$)" "$tmp/help")
		[ "$n" = 1 ] || { echo "FAIL: unroot $cmd --help lists $opt $n times" >&2; fail=1; }
		sed -n '1,/^$/p' "$tmp/help" | grep -qE -- "\[?(-[a-zA-Z]|$opt)( |\])" ||
			{ echo "FAIL: unroot $cmd --help: $opt not in the usage line" >&2; fail=1; }
	done
done
[ $fail = 0 ] && echo "PASS options parse alike"
exit $fail
