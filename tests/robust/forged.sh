#!/bin/sh
# forged.sh UNROOT [CASE] - traces are untrusted: a workload traced by
# `unroot run` writes forged records into its own log directory ($UNROOT_LOG).
# Whatever they say, `unroot plan` must not emit an applied grant on the
# never-grant list of the permission model (/, /usr, /bin, /sbin, /lib*,
# /etc, /root, /boot, /proc, /sys), and the generated sh, run with
# UNROOT_ROOT set to a scratch tree, must change only the granted paths
# (and their missing ancestors) inside that tree, and run nothing a name
# spells ($(...), backticks, quotes, newlines: run from a directory where
# a "touch pwnedN" would show).  Owned by tests/robust/.
#
# CASE main:     absolute, normalised forged paths (system files, shell
#                syntax in names)
# CASE dotdot:   paths with "..": "/tmp/../etc/passwd", and
#                "/../../../sentinel/f" which, prefixed with the scratch
#                root, would land outside it
# CASE relative: a relative path (planning must end, within 30 s)
set -eu
unroot=$1
case=${2:-main}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
command -v python3 >/dev/null 2>&1 || { echo "skip: python3 missing"; exit 77; }

w=$(mktemp -d /tmp/unroot-forged.XXXXXX)
trap 'rm -rf "$w"' EXIT
T=$w/scratch
R=$T/a/b/root
mkdir -p "$R/etc" "$R/usr/bin" "$R/srv/app" "$R/tmp" "$T/sentinel" "$w/run"
echo 'root:x:0:0::/root:/bin/sh' > "$R/etc/passwd"
echo secret > "$T/sentinel/f"
chmod 1777 "$R/tmp"

# the forged records, written by the workload itself
st='{"type":"file","uid":0,"gid":0,"mode":"0644"}'
{
	proc 4242
	open_ev 4242 10 /etc/passwd EACCES 1001 "$st"
	open_ev 4242 11 /usr/bin/python3 EACCES 1001 "$st"
	mkdir_ev 4242 12 /usr/bin/evil | sed 's/"ret":0,"errno":null/"ret":-1,"errno":"EACCES"/; s/"uid":0,"gid":0,"st"/"uid":1001,"gid":1001,"st"/'
	open_ev 4242 13 '/root/.profile' EACCES 1001 "$st"
	open_ev 4242 14 '/' EACCES 1001 '{"type":"dir","uid":0,"gid":0,"mode":"0755"}'
	open_ev 4242 15 "/srv/app/\$(touch pwned1)" EACCES 1001
	open_ev 4242 16 "/srv/app/\`touch pwned2\`" EACCES 1001
	open_ev 4242 17 "/srv/app/x'; touch pwned3; '" EACCES 1001
	open_ev 4242 18 "/srv/app/line\\ntouch pwned4" EACCES 1001
	open_ev 4242 19 '/srv/app/data.db' EACCES 1001
	case $case in
	dotdot)
		open_ev 4242 20 /tmp/../etc/passwd EACCES 1001 "$st"
		open_ev 4242 21 /../../../sentinel/f EACCES 1001 "$st"
		;;
	relative)
		open_ev 4242 20 relative/../../etc/shadow EACCES 1001 "$st"
		;;
	esac
} > "$w/forged.jsonl"

(cd "$w/run" && "$unroot" run -o "$w/tr" -- sh -c 'cp "$1" "$UNROOT_LOG/4242-forged.jsonl"' sh "$w/forged.jsonl") \
	> "$w/run.out" 2>&1 || { cat "$w/run.out" >&2; fail "unroot run failed"; }
"$here/../../scripts/logcat.py" --names "$w/tr/log" | grep -qx 4242-forged.jsonl ||
	fail "the workload could not write into its log dir"

for f in json sh; do
	timeout 30 "$unroot" plan --format $f "$w/tr" > "$w/plan.$f" 2> "$w/plan.err" ||
		{ rc=$?; cat "$w/plan.err" >&2; fail "plan --format $f: exit $rc (124: did not end in 30 s)"; }
done

find "$T" -printf '%P\t%U:%G\t%m\t%s\t%T@\n' | sort > "$w/before"
(cd "$w/run" && UNROOT_ROOT=$R sh "$w/plan.sh") > "$w/sh.out" 2>&1 ||
	{ cat "$w/plan.sh" "$w/sh.out" >&2; fail "the plan's sh failed"; }
find "$T" -printf '%P\t%U:%G\t%m\t%s\t%T@\n' | sort > "$w/after"

python3 - "$w" <<'PY'
import json, os, sys
w = sys.argv[1]
never = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
         "/etc", "/root", "/boot", "/proc", "/sys"]
def path(p):
    if isinstance(p, dict):
        return bytes.fromhex(p["hex"]).decode("utf-8", "surrogateescape")
    return p
def norm(p):
    return os.path.normpath("/" + p).replace("//", "/")
plan = json.load(open(os.path.join(w, "plan.json")))
bad = []
allowed = set()
for g in plan.get("grants", []):
    if g.get("alternative") or g.get("kind") == "build":
        continue
    p = norm(path(g["path"]))
    if p == "/" or any(p == n or p.startswith(n + "/") for n in never):
        bad.append("grant %s on %r (%s)" % (g["kind"], path(g["path"]), p))
    while p != "/":
        allowed.add("a/b/root" + p)
        p = os.path.dirname(p)
for r in plan.get("redirects", []):
    if r.get("dir"):
        allowed.add("a/b/root" + norm(path(r["dir"])))
def rows(f):
    d = {}
    for line in open(os.path.join(w, f), encoding="utf-8", errors="surrogateescape"):
        k, _, v = line.rstrip("\n").partition("\t")
        d[k] = v
    return d
b, a = rows("before"), rows("after")
for k in sorted(set(a) | set(b)):
    if a.get(k) == b.get(k):
        continue
    # a directory whose entries were created changes its mtime: fine
    if k in b and k in a and b[k].split("\t")[:2] == a[k].split("\t")[:2] and \
            any(x.startswith(k + "/") for x in allowed):
        continue
    if k not in allowed:
        bad.append("the sh changed %r (not a granted path)" % (os.path.join("scratch", k)))
for n in range(1, 5):
    if os.path.exists(os.path.join(w, "run", "pwned%d" % n)):
        bad.append("a path name ran a command (pwned%d)" % n)
if bad:
    print("\n".join("FAIL: " + x for x in bad), file=sys.stderr)
    sys.exit(1)
PY
[ -s "$w/plan.json" ] || fail "empty plan"
grep -q 'data.db\|srv/app' "$w/plan.sh" || fail "the legitimate denial under /srv/app was not planned"
echo "ok: forged traces ($case)"
