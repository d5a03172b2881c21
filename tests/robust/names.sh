#!/bin/sh
# names.sh - adversarial path names recorded losslessly and planned safely:
# names with spaces, quotes, newlines, $(...), backticks and invalid UTF-8,
# a 200-level deep tree and a path of PATH_MAX-1 (4,095) bytes made via
# chdir and relative names.  Every path made must be in the log with its
# exact bytes; `unroot plan --format sh`, run with UNROOT_ROOT set to a
# scratch copy, must create exactly the first missing components (owned by
# 1001 when root) and leave the rest of the copy alone.
#
# usage: names.sh PATH/TO/unroot
set -u
UNROOT=$(realpath "$1")
D=$(dirname "$(realpath "$0")")/names
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d /tmp/urnames-XXXXXX)
[ -n "${UR_KEEP:-}" ] || trap 'rm -rf "$T"' EXIT
mkdir "$T/top"
cd "$T" || exit 1
"$UNROOT" run -o tr -- python3 "$D/workload.py" "$T/top" "$T/made" ||
	fail "the workload failed under unroot run"
python3 "$D/check_log.py" tr/log made || fail "a path was not recorded exactly"

"$UNROOT" plan --format sh tr >plan.sh || fail "unroot plan failed"
S=$T/scratch
mkdir -p "$S$T/top"
: >"$S$T/keep"
: >"$S$T/top/keep"
UNROOT_ROOT=$S sh plan.sh || fail "the plan script failed"
UNROOT_ROOT=$S sh plan.sh || fail "the plan script failed a second time"
[ ! -e pwned ] && [ ! -e "$S/pwned" ] && [ ! -e "$T/top/pwned" ] ||
	fail "a name ran as a command"
# expected: the workload's top-level entries (first missing components)
(cd top && find . -mindepth 1 -maxdepth 1 -print0 | sort -z) >want
(cd "$S$T/top" && find . -mindepth 1 -print0 | sort -z) >got
printf './keep\0' | cat - want | sort -z >want2
cmp -s got want2 || {
	tr '\0' '\n' <got | head -n 20 >&2
	fail "the plan did not create exactly the intended paths"
}
# nothing else in the copy but $T/made, which the workload wrote too
[ -e "$S$T/made" ] || fail "the plan did not grant the workload's own output"
n=$(find "$S" -print0 | tr -cd '\0' | wc -c)
want_n=$(($(tr -cd '\0' <want2 | wc -c) + $(echo "$T" | tr -cd / | wc -c) + 4)) # the copy, top, keep, made
[ "$n" -eq "$want_n" ] || fail "the copy has $n entries, $want_n expected"
if [ "$(id -u)" = 0 ]; then
	bad=$(cd "$S$T/top" && find . -mindepth 1 ! -name keep ! -user 1001 | wc -l)
	[ "$bad" = 0 ] || fail "$bad created paths not owned by 1001"
	[ "$(stat -c %u "$S$T/top")" = 0 ] || fail "the parent was chowned"
fi
echo "PASS: $(tr -cd '\0' <want | wc -c) planned paths, $(grep -c '^chown' plan.sh) chowns"
