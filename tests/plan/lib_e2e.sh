# lib_e2e.sh - shared by tests/plan/e2e_*.sh (sourced, POSIX sh).
#
# The end-to-end check of the planner on the host, without Docker:
#   1. build a small "image" tree owned by root in a scratch directory,
#   2. run the real workload in it as root under `unroot run`,
#   3. `unroot plan --format sh|env|json`,
#   4. apply the sh script as root (twice: it must be idempotent),
#   5. run the workload again as uid 1001 (setpriv) under `unroot run`,
#      with the plan's env lines exported, and assert it exits 0 with zero
#      EACCES/EPERM events in `unroot report --json` (a test may first run
#      a round, user_run, and plan again from both traces, as harden does),
#   6. compare the tree's owners and modes before and after the script:
#      only the paths the test names may have changed.
#
# The plan's paths are the host's absolute paths of the scratch tree, so
# the script is applied with UNROOT_ROOT=/ : "the tree below /", which the
# script documents as "no user is created then".  uid 1001 needs no passwd
# entry: chown to a number works.  Redirect directories and the user's home
# are image paths (/var/cache/nonroot/..., /home/nonroot): the whole test
# runs in a private mount namespace (unshare -m) in which scratch
# overlays (upper directories in the scratch tree) are mounted on
# /var/cache and /home after the profiling run, so applying the plan never
# changes the host and the host's content (fontconfig's system cache)
# stays visible.
#
# Usage in a test: . "$(dirname "$0")/lib_e2e.sh" "$@"
# Exit 77 = skipped (CTest SKIP_RETURN_CODE).

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

note() {
	echo "== $*"
}

E2E_NAME=$(basename "$0" .sh)
E2E_DIR=$(cd "$(dirname "$0")" && pwd)

[ "$(id -u)" = 0 ] || skip "$E2E_NAME needs root (chown, setpriv)"
for tool in setpriv unshare mount; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not installed"
done

# Run the rest in a private mount namespace (see above).
if [ -z "${UNROOT_E2E_NS:-}" ]; then
	UNROOT_E2E_NS=1
	export UNROOT_E2E_NS
	exec unshare -m --propagation private sh "$0" "$@"
fi

if [ -n "${1:-}" ] && [ -x "$1/bin/unroot" ]; then
	UNROOT=$1/bin/unroot
elif [ -x "$E2E_DIR/../../build/bin/unroot" ]; then
	UNROOT=$(cd "$E2E_DIR/../../build/bin" && pwd)/unroot
else
	skip "unroot not built (pass the build directory)"
fi
UNROOT_DATADIR=${UNROOT_DATADIR:-$E2E_DIR/../../cli/data}
export UNROOT_DATADIR

PY=/usr/bin/python3
E2E_UID=1001
E2E_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# The scratch directory: searchable by uid 1001 (mktemp makes it 0700).
S=$(mktemp -d /tmp/unroot-e2e.XXXXXX)
chmod 755 "$S"
IMG=$S/img
mkdir -m 755 "$IMG"
# what uid 1001 runs (unroot, its preload) is staged in the scratch
# directory: the build tree may be out of that user's reach
. "$E2E_DIR/../common/stage.sh"
UNROOT=$(stage_unroot "$UNROOT" "$S/stage" "$UNROOT_DATADIR")
mkdir -m 700 "$IMG/root"	# root's HOME during the profiling run
cleanup() {
	[ -n "${E2E_KEEP:-}" ] && { echo "kept $S"; return; }
	# mounts a test made below the scratch directory (private namespace)
	awk -v s="$S/" 'index($2, s) == 1 { print $2 }' /proc/self/mounts |
		sort -r | while IFS= read -r m; do umount "$m"; done
	rm -rf "$S"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# fixdir DIR...: directories of the image, root-owned 0755
fixdir() {
	for d in "$@"; do
		mkdir -p "$d"
		chown 0:0 "$d"
		chmod 755 "$d"
	done
}

# snapshot FILE: type, owner, group and mode of every path below the
# image, one JSON object (names may hold any byte: kept as hex)
snapshot() {
	"$PY" -c '
import json, os, sys
top = os.fsencode(sys.argv[1])
out = {}
for d, dirs, files in os.walk(top):
    for n in [b""] + dirs + files:
        p = os.path.join(d, n) if n else d
        st = os.lstat(p)
        out[p.hex()] = [st.st_mode, st.st_uid, st.st_gid]
json.dump(out, open(sys.argv[2], "w"))' "$IMG" "$1"
}

# changed_paths BEFORE AFTER: paths new or changed in owner/mode, one a
# line, bytes outside printable ASCII (and the backslash) as \xNN
changed_paths() {
	"$PY" -c '
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
def show(h):
    return "".join(chr(c) if 32 <= c < 127 and c != 92 else "\\x%02x" % c
                   for c in bytes.fromhex(h))
for h in sorted(set(b) | set(a), key=lambda h: bytes.fromhex(h)):
    if a.get(h) != b.get(h):
        print(show(h) + ("" if h in b else " (removed)"))' "$1" "$2"
}

# npm_app DIR NAME: the packages of tests/plan/NAME (its package.json and
# committed lockfile) installed in the image's directory DIR with npm ci
# on the host, scripts off; 77 when node, npm or the registry is missing
npm_app() {
	command -v node >/dev/null 2>&1 || skip "node not installed"
	command -v npm >/dev/null 2>&1 || skip "npm not installed"
	cp "$E2E_DIR/$2/package.json" "$E2E_DIR/$2/package-lock.json" "$1/"
	(cd "$1" && npm ci --no-audit --no-fund --ignore-scripts \
		--cache "$S/npm-cache" >"$S/npm.log" 2>&1) ||
		{ cat "$S/npm.log"; skip "npm ci failed (no registry?)"; }
}

# profile CMD...: the run as root, HOME=$IMG/root, into $S/trace-root
profile() {
	note "profile as root: $*"
	env -i PATH="$E2E_PATH" HOME="$IMG/root" LANG=C.UTF-8 \
		${E2E_ENV:-} "$UNROOT" run -o "$S/trace-root" -- "$@" ||
		fail "the workload failed as root"
}

# make_plan [PLAN OPTIONS]: plan.sh, plan.env, plan.json in $S
make_plan() {
	for f in sh env json; do
		"$UNROOT" plan --format "$f" "$@" "$S/trace-root" >"$S/plan.$f" ||
			fail "unroot plan --format $f failed"
	done
	note "plan.sh:"
	cat "$S/plan.sh"
	note "plan.env:"
	cat "$S/plan.env"
}

# apply_plan: overlays on /var/cache and /home (once), snapshot, run
# the script twice as root with UNROOT_ROOT=/, snapshot again.
apply_plan() {
	for d in /var/cache /home; do
		o=$S/overlay$(echo "$d" | tr / -)
		[ -d "$o" ] && continue
		mkdir -p "$o/upper" "$o/work"
		mount -t overlay overlay \
			-o "lowerdir=$d,upperdir=$o/upper,workdir=$o/work" "$d" ||
			fail "cannot put an overlay on $d"
	done
	# Every path the script changes must be below the scratch tree or a
	# bound directory: nothing else of the host may be touched.
	grep -o "\"\$R\"'[^']*'" "$S/plan.sh" | sed "s/^\"\$R\"'//; s/'\$//" |
		while IFS= read -r p; do
			case "$p" in
			"$S"/* | /var/cache/* | /home/*) ;;
			*) fail "the plan changes $p, outside the scratch tree" ;;
			esac
		done
	snapshot "$S/before"
	UNROOT_ROOT=/ sh "$S/plan.sh" || fail "the plan's script failed"
	snapshot "$S/after"
	UNROOT_ROOT=/ sh "$S/plan.sh" || fail "the plan's script failed twice"
	snapshot "$S/after2"
	cmp -s "$S/after" "$S/after2" || fail "the plan's script is not idempotent"
	# what changed: owner/mode of an existing path, or a new path
	changed_paths "$S/before" "$S/after" >"$S/changed"
	note "changed by the plan:"
	cat "$S/changed"
}

# expect_changed PATH...: exactly these paths of the image changed
expect_changed() {
	: >"$S/expected"
	for p in "$@"; do
		printf '%s\n' "$p" >>"$S/expected"
	done
	LC_ALL=C sort -o "$S/expected" "$S/expected"
	LC_ALL=C sort "$S/changed" | cmp -s - "$S/expected" ||
		{ diff "$S/expected" "$S/changed" >&2; fail "the plan changed other paths than expected"; }
}

# assert_stat PATH "UID:GID MODE"
assert_stat() {
	got=$(stat -c '%u:%g %a' "$1")
	[ "$got" = "$2" ] || fail "$1 is $got, expected $2"
}

# plan_env_value KEY: the value of KEY in plan.env, empty when absent
plan_env_value() {
	sed -n "s/^$1=//p" "$S/plan.env" | tail -n 1
}

# user_run TRACE CMD...: the run as uid 1001 with the plan's environment,
# HOME from plan.env (or the plan's home), into TRACE; its exit status.
user_run() {
	utrace=$1
	shift
	note "run as uid $E2E_UID: $*"
	uhome=$(plan_env_value HOME)
	[ -n "$uhome" ] || uhome=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["home"])' "$S/plan.json")
	mkdir -p "$utrace"
	chown "$E2E_UID:$E2E_UID" "$utrace"
	# the plan's KEY=VALUE lines are exported one by one (values are not
	# shell-quoted in an env file), after env -i and after HOME; the cwd
	# is the scratch directory (root's, 0755): CTest's, in the build tree,
	# may be out of the user's reach
	(cd "$S" && env -i PATH="$E2E_PATH" HOME="$uhome" LANG=C.UTF-8 \
		${E2E_ENV:-} \
		setpriv --reuid="$E2E_UID" --regid="$E2E_UID" --clear-groups \
		sh -c 'while IFS= read -r l; do
			case "$l" in [A-Za-z_]*=*) export "$l" ;; esac
		done <"$1"; shift; exec "$@"' sh "$S/plan.env" \
		"$UNROOT" run -o "$utrace" -- "$@")
}

# run_user CMD...: user_run into $S/trace-user.  Asserts exit 0 and zero
# denials.
run_user() {
	rc=0
	user_run "$S/trace-user" "$@" || rc=$?
	[ "$rc" = 0 ] || { "$UNROOT" report "$S/trace-user" >&2; fail "the workload failed as uid $E2E_UID (exit $rc)"; }
	assert_no_denials "$S/trace-user"
}

# assert_no_denials TRACE: no EACCES/EPERM event in unroot report --json,
# but for what harden sets aside too: a refused write check (access with
# W_OK) of a path root's run did not write is a question, not a write
# (Jupyter's contents API asks it of every file it lists)
assert_no_denials() {
	"$UNROOT" report --json "$1" >"$S/report.json" || fail "unroot report failed"
	"$UNROOT" report --json "$S/trace-root" >"$S/report-root.json" ||
		fail "unroot report of root's run failed"
	n=$("$PY" -c '
import json, sys

def events(name):
    for line in open(name):
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if isinstance(ev, dict):
            yield ev

def key(path):  # a name that is not UTF-8 is an object (SCHEMA.md)
    return json.dumps(path, sort_keys=True)

written = {key(ev.get("path")) for ev in events(sys.argv[2])
           if ev.get("write") and not ev.get("errno")}
n = 0
for ev in events(sys.argv[1]):
    if ev.get("errno") not in ("EACCES", "EPERM"):
        continue
    check = ev.get("op") == "access" and int(ev.get("mode") or "0", 8) & 2
    if check and key(ev.get("path")) not in written:
        print("set aside (a write check):", ev.get("path"), file=sys.stderr)
        continue
    n += 1
    print("denied:", ev.get("op"), ev.get("path"), ev.get("exe"), file=sys.stderr)
print(n)' "$S/report.json" "$S/report-root.json")
	[ "$n" = 0 ] || fail "$n denials as uid $E2E_UID"
	note "zero denials as uid $E2E_UID"
}
