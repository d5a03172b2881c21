#!/bin/sh
# damaged.sh UNROOT [CASE] - `unroot report` on damaged traces: a truncated
# last line (a killed process), a corrupt line between good ones, a file of
# binary garbage, a schema version from the future, an empty file and NUL
# padding in the middle and at the end of a file.  Each must give a message
# naming the file and line (padding alone: none), and every readable record
# must still be reported; the command must not fail.  Owned by the robustness suite (tests/robust/).
#
# CASE "nul" runs only the NUL-byte check and CASE "incomplete" only the
# check of an ev record without its fields: each is its own CTest test
# (an event with no path was used as a write of "").
set -eu
unroot=$1
case=${2:-main}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

t=$(mktemp -d /tmp/unroot-robust.XXXXXX)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/tr/log"
L=$t/tr/log

if [ "$case" = nul ]; then
	# SCHEMA.md: NUL bytes are padding wherever they are (a record
	# reserved in the preload's shared mapping and never written, the
	# preallocated end of a file); a record cut by them is a warning
	# with file and line, and reading goes on after them
	{ proc 300; mkdir_ev 300 1 /robust/n1; printf '\000\000\000\n'
	  mkdir_ev 300 2 /robust/n2
	  printf '{"t":"ev","op":"mkdir","fn":"mkdir","path":"/robust/n3'
	  printf '\000\000\000\000'; mkdir_ev 300 4 /robust/n4
	  head -c 20000 /dev/zero; } > "$L/300-n.jsonl"
	"$unroot" report "$t/tr" > "$t/out" 2> "$t/err" || fail "report failed"
	cat "$t/out" "$t/err" > "$t/all"
	expect "$t/out" "n1" "the record before the NULs is used"
	expect "$t/out" "n2" "the record after the padding is used"
	expect "$t/out" "n4" "the record after the cut one is used"
	expect "$t/all" "300-n.jsonl:5" "the record cut by NULs is named by file and line"
	grep -q 'n3' "$t/out" && fail "the cut record was used"
	grep -q '300-n.jsonl:3' "$t/all" && fail "NUL padding alone was reported"
	echo "ok: damaged traces (nul)"
	exit 0
fi

if [ "$case" = incomplete ]; then
	{ proc 301; mkdir_ev 301 1 /robust/i1; printf '{"t":"ev","op":"mkdir"}\n'
	  mkdir_ev 301 2 /robust/i2; } > "$L/301-i.jsonl"
	"$unroot" report "$t/tr" > "$t/out" 2> "$t/err" || fail "report failed"
	cat "$t/out" "$t/err" > "$t/all"
	expect "$t/out" "i2" "the record after the incomplete one is used"
	expect "$t/all" "301-i.jsonl:3" "an ev without path named by file and line"
	grep -q '^ *~ *$' "$t/out" && fail "an event without a path was reported as a write of ''"
	echo "ok: damaged traces (incomplete)"
	exit 0
fi

# a killed process: the last line has no newline
{ proc 100; mkdir_ev 100 10 /robust/a1; mkdir_ev 100 11 /robust/a2
  printf '{"t":"ev","op":"mkdir","fn":"mkdir","path":"/robust/cut'; } > "$L/100-a.jsonl"
# a corrupt line between good ones
{ proc 101; mkdir_ev 101 12 /robust/b1; printf 'not json at all {{{\n'
  mkdir_ev 101 13 /robust/b2; printf '\377\376{"t":"ev"}\n'
  mkdir_ev 101 14 /robust/b3; } > "$L/101-b.jsonl"
# a schema version from the future
{ proc 102 99; mkdir_ev 102 15 /robust/future; } > "$L/102-c.jsonl"
# binary garbage, no NUL so that every line is looked at
head -c 8192 /dev/urandom | tr -d '\000' > "$L/103-d.jsonl"
# empty, and a file that is a valid line of the wrong type only
: > "$L/104-e.jsonl"
printf '[1,2,3]\n"str"\n42\n' > "$L/105-f.jsonl"

"$unroot" report "$t/tr" > "$t/out" 2> "$t/err" || fail "report exited $?"
cat "$t/out" "$t/err" > "$t/all"

for p in a1 a2 b1 b2 b3; do
	expect "$t/out" "$p" "readable record /robust/$p is reported"
done
grep -q 'robust/cut' "$t/out" && fail "the cut line was used"
grep -q 'robust/future' "$t/out" && fail "a version-99 record was used"
expect "$t/all" "100-a.jsonl:4" "truncated last line named by file and line"
expect "$t/all" "101-b.jsonl:3" "corrupt line named by file and line"
expect "$t/all" "101-b.jsonl:5" "invalid UTF-8 line named by file and line"
expect "$t/all" "102-c.jsonl:1" "future schema version named by file and line"
expect "$t/all" "version" "future schema version said plainly"
expect "$t/all" "103-d.jsonl" "binary garbage named by file"
expect "$t/all" "105-f.jsonl:1" "a line that is not an object named"

# the same through plan: the rest is still planned, the damage still said
"$unroot" plan "$t/tr" > "$t/plan" 2> "$t/perr" || fail "plan exited $?"
expect "$t/perr" "102-c.jsonl" "plan says a file was skipped"
echo "ok: damaged traces"
