#!/bin/sh
# report_site.sh BUILD_DIR - the Python call site of a denied write, end to
# end through the CLI: profile
#   python3 -c 'import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot'
# as uid 1001 with a HOME it cannot write and MPLCONFIGDIR unset, then
#   - `unroot report` shows the denied config/cache mkdir with the matplotlib
#     file, line and function that attempted it (and --json its py frames
#     and py_site), and
#   - `unroot plan` shows that site in the comment beside the redirect line
#     (MPLCONFIGDIR when HOME has root-owned .config/.cache, so that the
#     denial is matplotlib's own directory).
# The line is checked against the source: it must be the mkdir call inside
# the function named.  Exit 0 pass, 1 fail, 77 skip.
set -eu

skip() {
	echo "SKIP: $*"
	exit 77
}
fail() {
	echo "FAIL: $*" >&2
	FAILED=1
}
FAILED=0

PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -n "${1:-}" ] && [ -x "$1/bin/unroot" ]; then
	UNROOT=$(cd "$1/bin" && pwd)/unroot
elif [ -x "$HERE/../../build/bin/unroot" ]; then
	UNROOT=$(cd "$HERE/../../build/bin" && pwd)/unroot
else
	skip "unroot not built (pass the build directory)"
fi
UNROOT_DATADIR=${UNROOT_DATADIR:-$HERE/../../cli/data}
export UNROOT_DATADIR

[ "$(id -u)" = 0 ] || skip "needs root (setpriv, a root-owned HOME)"
command -v setpriv >/dev/null 2>&1 || skip "setpriv not installed"
[ -x "$PY" ] || skip "$PY not installed"
"$PY" -c 'import matplotlib' 2>/dev/null || skip "matplotlib not installed for $PY"
# where matplotlib's files are (site-packages or dist-packages)
MPLDIR=$("$PY" -c 'import matplotlib, os; print(os.path.dirname(matplotlib.__file__))')
SITEDIR=$(dirname "$MPLDIR")

S=$(mktemp -d /tmp/unroot-pysite.XXXXXX)
chmod 755 "$S"
trap '[ -n "${KEEP:-}" ] && echo "kept $S" || rm -rf "$S"' EXIT
mkdir -m 755 "$S/work"			# the cwd: readable, not writable
mkdir -m 755 "$S/out"			# trace directories, written by uid 1001
chown 1001:1001 "$S/out"
# what uid 1001 runs (unroot, its preload) is staged in the scratch
# directory: the build tree may be out of that user's reach
. "$HERE/../common/stage.sh"
UNROOT=$(stage_unroot "$UNROOT" "$S/stage" "$UNROOT_DATADIR")

# profile NAME HOME: run the import as uid 1001 under unroot run
profile() {
	(cd "$S/work" &&
		env -u MPLCONFIGDIR -u XDG_CONFIG_HOME -u XDG_CACHE_HOME \
			-u PYTHONDONTWRITEBYTECODE -u PYTHONPYCACHEPREFIX \
			HOME="$2" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			setpriv --reuid=1001 --regid=1001 --clear-groups \
			"$UNROOT" run -o "$S/out/$1" -- \
			"$PY" -c 'import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot') \
		>"$S/$1.run" 2>&1 || {
		cat "$S/$1.run" >&2
		fail "$1: unroot run failed"
		return 1
	}
}

# check_site NAME SITE: SITE is "matplotlib/F.py:N in FUNC (package matplotlib)";
# line N of F must be a mkdir inside FUNC.
check_site() {
	"$PY" - "$SITEDIR" "$2" <<'PY' || fail "$1: the site '$2' is not the mkdir in the function named"
import re, sys
sitedir, site = sys.argv[1], sys.argv[2]
m = re.fullmatch(r"(matplotlib/[\w/]+\.py):(\d+) in ([\w.<>]+) \(package matplotlib\)", site)
if not m:
    sys.exit("not FILE:LINE in FUNC (package matplotlib): %r" % site)
path, line, func = sitedir + "/" + m.group(1), int(m.group(2)), m.group(3)
lines = open(path).read().split("\n")
if "mkdir" not in lines[line - 1]:
    sys.exit("%s:%d is %r, not a mkdir" % (path, line, lines[line - 1]))
name = func.split(".")[-1]
for i in range(line - 1, -1, -1):
    d = re.match(r"\s*def (\w+)", lines[i])
    if d:
        if d.group(1) != name:
            sys.exit("%s:%d is in %s, not %s" % (path, line, d.group(1), func))
        break
else:
    sys.exit("no def above %s:%d" % (path, line))
PY
}

# case NAME HOME DENIED VAR: the whole check for one HOME layout.  DENIED
# is the path whose mkdir is denied; VAR the redirect the plan must make
# ("" for whichever).
case_() {
	name=$1 home=$2 denied=$3 var=$4
	profile "$name" "$home" || return 0
	T=$S/out/$name
	"$UNROOT" report "$T" >"$S/$name.report" 2>&1 || fail "$name: unroot report failed"
	# the denial line, then its python line
	site=$(awk -v p="$denied" '
		found { if ($1 == "python:") { sub(/^ *python: /, ""); print } ; exit }
		/^Denied/ { inden = 1; next }
		/^$/ { inden = 0 }
		inden && $1 == "mkdir" && $2 == p && $3 == "EACCES" { found = 1 }
	' "$S/$name.report")
	if [ -z "$site" ]; then
		cat "$S/$name.report" >&2
		fail "$name: the report shows no Python site for the denied mkdir $denied"
	else
		echo "$name: report: mkdir $denied EACCES <- python: $site"
		check_site "$name" "$site"
	fi

	# --json: the denial carries the recorded frames and the site
	"$UNROOT" report --json "$T" >"$S/$name.json" 2>/dev/null || fail "$name: report --json failed"
	"$PY" - "$S/$name.json" "$denied" "$site" <<'PY' || fail "$name: report --json lacks py/py_site on the denial"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
d = [e for e in evs if e["path"] == sys.argv[2] and e["errno"] == "EACCES"]
assert d, "no denial of %s" % sys.argv[2]
e = d[0]
assert isinstance(e.get("py"), list) and e["py"], "no py array"
assert all(set(f) == {"f", "l", "fn"} for f in e["py"]), e["py"]
assert any("/matplotlib/" in f["f"] for f in e["py"]), e["py"]
assert e.get("py_site") == sys.argv[3], (e.get("py_site"), sys.argv[3])
# events without Python frames have neither key
assert all(("py" in x) == ("py_site" in x) for x in evs)
PY

	# plan: the comment line before the redirect names the site
	for fmt in dockerfile sh; do
		"$UNROOT" plan --format "$fmt" "$T" >"$S/$name.plan.$fmt" 2>&1 ||
			fail "$name: unroot plan --format $fmt failed"
	done
	"$PY" - "$S/$name.plan.sh" "$S/$name.plan.dockerfile" "$denied" "$site" "$var" <<'PY' || { cat "$S/$name.plan.sh" "$S/$name.plan.dockerfile" >&2; fail "$name: the plan's redirect line does not show the Python site"; }
import sys
sh, df, denied, site, var = sys.argv[1:6]
want = "[python: %s]" % site
lines = open(sh).read().split("\n")
ok = False
for i, l in enumerate(lines[1:], 1):
    if l.startswith("# redirect: set %s=" % var if var else "# redirect: set "):
        ev = lines[i - 1]
        if denied + " -> EACCES" in ev and want in ev:
            print("plan (sh):  " + ev + "\n            " + l)
            ok = True
assert ok, "sh: no redirect line beside the site"
lines = open(df).read().split("\n")
ok = False
for i, l in enumerate(lines[:-2]):
    if l.startswith("# ") and denied + " -> EACCES" in l and want in l \
            and lines[i + 1].startswith("#   redirect") \
            and lines[i + 2].startswith("ENV " + (var + "=" if var else "")):
        ok = True
assert ok, "dockerfile: no ENV line beside the site"
PY
}

# HOME root-owned with root-owned .config and .cache: matplotlib's own
# directory is denied and the plan redirects MPLCONFIGDIR.
mkdir -m 755 "$S/home-a" "$S/home-a/.config" "$S/home-a/.cache"
case_ mpl "$S/home-a" "$S/home-a/.config/matplotlib" MPLCONFIGDIR

# A bare root-owned HOME: the first denial is ~/.config itself, still
# attributed to matplotlib; its ENOENT mkdir of ~/.config/matplotlib names
# the writer, so the plan redirects MPLCONFIGDIR, not XDG_CONFIG_HOME.
mkdir -m 755 "$S/home-b"
case_ bare "$S/home-b" "$S/home-b/.config" MPLCONFIGDIR

[ "$FAILED" = 0 ] || exit 1
echo "PASS report_site"
