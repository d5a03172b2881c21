#!/bin/bash
# cpython_suite.sh - transparency against a suite nobody here wrote:
# CPython's own file tests (Debian's libpython3.11-testsuite) run once bare
# and once under libunroot.so, as root; the per-test results (pass, fail,
# skip) must be the same sets.  A hang shows as regrtest's own timeout.
# Prints the timings of both runs.
#
# MODE "uid1001" runs both as uid/gid 1001 (setpriv, no groups, HOME in
# the scratch dir); MODE "exec" runs test_subprocess and test_popen (the
# exec family, pipes and stdio) as root instead of the file tests.
#
# usage: cpython_suite.sh PATH/TO/libunroot.so [root|uid1001|exec]
set -u

LIB=$(realpath "$1")
PY=/usr/bin/python3 # not a pyenv one first in PATH
MODULES="test_os test_shutil test_tempfile test_pathlib test_posix test_glob test_fileio"
MODE=${2:-root}
AS=
HOMEDIR=/root
T=$(mktemp -d /tmp/urcpy-XXXXXX)
chmod 755 "$T"
case $MODE in
uid1001)
	AS="setpriv --reuid=1001 --regid=1001 --clear-groups"
	chmod 777 "$T"
	HOMEDIR=$T/home
	mkdir -m 777 "$HOMEDIR"
	;;
exec)
	MODULES="test_subprocess"
	$PY -c 'import test.test_popen' 2>/dev/null &&
		MODULES="$MODULES test_popen"
	;;
esac
[ -n "${UR_KEEP:-}" ] || trap 'rm -rf "$T"' EXIT
# the preload (loaded as uid 1001 in that mode) is staged in the scratch
# directory: the build tree may be out of that user's reach
. "$(dirname "$0")/../common/stage.sh"
LIB=$(stage_files "$T/stage" "$LIB")

if ! $PY -c 'import test.test_os' 2>/dev/null; then
	echo "SKIP: CPython's test suite is not installed (libpython3-testsuite)"
	exit 77
fi

# run NAME [ENV...]: the suite in its own cwd, results as junit XML
run() {
	name=$1
	shift
	mkdir -p "$T/$name"
	chmod 777 "$T/$name"
	local start=$(date +%s.%N)
	(cd "$T/$name" && $AS env "$@" $PY -m test --timeout 900 \
		--junit-xml "$T/$name.xml" $MODULES >"$T/$name.out" 2>&1)
	local rc=$?
	local end=$(date +%s.%N)
	printf '%s: exit %d, %.1f s\n' "$name" $rc "$(echo "$end - $start" | bc)"
	tail -n 5 "$T/$name.out" | sed "s/^/  $name| /"
}

mkdir -p "$T/log"
chmod 1777 "$T/log"
run bare HOME=$HOMEDIR
run traced HOME=$HOMEDIR UNROOT_LOG="$T/log" LD_PRELOAD="$LIB"

# one line per test: "outcome id"
outcomes() {
	$PY - "$1" <<'EOF'
import sys
import xml.etree.ElementTree as ET
for case in ET.parse(sys.argv[1]).iter("testcase"):
    tags = {c.tag for c in case}
    outcome = ("fail" if tags & {"failure", "error"} else
               "skip" if "skipped" in tags else "pass")
    print(outcome, case.get("name"))
EOF
}

if [ ! -s "$T/bare.xml" ] || [ ! -s "$T/traced.xml" ]; then
	echo "FAIL: a run left no results"
	cat "$T/traced.out" | tail -n 40
	exit 1
fi
outcomes "$T/bare.xml" | sort >"$T/bare.res"
outcomes "$T/traced.xml" | sort >"$T/traced.res"
for o in pass fail skip; do
	printf '%s: bare %d, traced %d\n' $o "$(grep -c "^$o " "$T/bare.res")" \
		"$(grep -c "^$o " "$T/traced.res")"
done
records=$(cat "$T"/log/*.jsonl 2>/dev/null | tr -d '\000' | wc -l)
echo "traced run: $(ls "$T"/log/*.jsonl 2>/dev/null | wc -l) log files, $records records"
if [ "$records" -eq 0 ]; then
	echo "FAIL: the traced run recorded nothing: was the preload loaded?"
	grep -m 3 'ld.so' "$T/traced.out"
	exit 1
fi

# every record parses (a cut last line excepted)
$PY - "$T/log" <<'EOF' || exit 1
import json, os, re, sys
bad = 0
for n in os.listdir(sys.argv[1]):
    if not n.endswith(".jsonl"):
        continue
    data = open(os.path.join(sys.argv[1], n), "rb").read()
    # NUL bytes are padding of the mapped log; records end with a newline
    lines = [m.group(1) for m in re.finditer(rb"([^\n\0]+)\n", data)]
    for i, l in enumerate(lines):
        try:
            json.loads(l)
        except ValueError:
            bad += 1
            print("unparseable: %s:%d" % (n, i + 1))
sys.exit(1 if bad else 0)
EOF

if ! diff -u "$T/bare.res" "$T/traced.res"; then
	echo "FAIL: results differ under the preload"
	grep -B2 -A30 -E '^(FAIL|ERROR):' "$T/traced.out" | head -n 200
	exit 1
fi
echo "same results with and without the preload ($(wc -l <"$T/bare.res") tests)"
