#!/bin/sh
# real_programs.sh - runs real Debian programs directly under libunroot.so
# (sh, python3, tar, cp -a, mv, git, find, sqlite3), as root and as uid 1001 in a
# directory that user cannot write, and checks their logs with
# check_log.py: the writes each program is known to make are recorded, the
# denials are recorded with EACCES, uid 1001 and a stack, and every log
# line parses.  Each program must also still succeed (or fail) as it does
# without the tracer.
#
# usage: real_programs.sh PATH/TO/libunroot.so
set -eu

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: runs programs as uid 1001 through setpriv: needs root"
	exit 77
fi
LIB=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3 # not a pyenv one first in PATH
CHECK="$PY $HERE/check_log.py"
T=$(mktemp -d /tmp/urreal-XXXXXX)
chmod 755 "$T"
[ -n "${UR_KEEP:-}" ] || trap 'rm -rf "$T"' EXIT
# the preload uid 1001 loads is staged in the scratch directory: the build
# tree may be out of that user's reach
. "$HERE/../common/stage.sh"
LIB=$(stage_files "$T/stage" "$LIB")
export GIT_CONFIG_NOSYSTEM=1 HOME="$T/home" LANG=C.UTF-8
mkdir -p "$HOME"
fails=0

# traced NAME CMD...: run CMD with the preload, logging to $T/NAME/log,
# in the work directory $T/NAME/w.
traced() {
	name=$1
	shift
	mkdir -p "$T/$name/log" "$T/$name/w"
	chmod 1777 "$T/$name/log"
	chmod 777 "$T/$name/w"
	(cd "$T/$name/w" && UNROOT_LOG="$T/$name/log" LD_PRELOAD="$LIB" "$@")
}

# expect NAME CHECK...: assertions on NAME's log
expect() {
	name=$1
	shift
	echo "--- $name"
	if ! $CHECK "$T/$name/log" "$@"; then
		fails=$((fails + 1))
	fi
}

as_user() {
	setpriv --reuid=1001 --regid=1001 --clear-groups "$@"
}

# sh: redirections, mkdir, rm -r
traced sh sh -c 'echo a > out; mkdir -p d/e; echo b >> d/e/f; rm -r d'
expect sh proc:/dash ev:open:/sh/w/out ev:mkdir:/sh/w/d/e \
	ev:unlink:/sh/w/d/e/f ev:rmdir:/sh/w/d proc:/mkdir none:/sh/log/

# a static-pie program (ldconfig) run by dash from a vfork child, and a
# set-uid one run by uid 1001: both said untraced
if [ -x /sbin/ldconfig ] && ! readelf -l /sbin/ldconfig | grep -q INTERP; then
	traced untraced sh -c '/sbin/ldconfig --version >/dev/null; true'
	expect untraced untraced:/sbin/ldconfig:static
fi
if [ -u /usr/bin/mount ]; then
	traced untraced-suid as_user sh -c '/usr/bin/mount --version >/dev/null; true'
	expect untraced-suid untraced:/usr/bin/mount:setuid
fi

# python3: open, rename, makedirs, rmtree, mkstemp, chmod
traced python $PY -c '
import os, shutil, tempfile
open("p1", "w").write("x")
os.rename("p1", "p2")
os.makedirs("pd/a")
shutil.rmtree("pd")
fd, name = tempfile.mkstemp(dir=".")
os.chmod(name, 0o600)
os.unlink("p2")
'
expect python proc:/python3.11 ev:open:/python/w/p1 ev:rename:/python/w/p1 \
	ev:mkdir:/python/w/pd/a ev:rmdir:/python/w/pd/a ev:rmdir:/python/w/pd \
	ev:unlink:/python/w/p2 ev:chmod:/python/w/tmp* ev:open:/python/w/tmp* \
	stack:open:/python/w/p1::python3

# tar: extract an archive made without the tracer
mkdir -p "$T/src/sub"
echo hello > "$T/src/sub/file"
ln -s file "$T/src/sub/link"
chmod 640 "$T/src/sub/file"
tar -C "$T" -cf "$T/a.tar" src
traced tar tar -xpf "$T/a.tar"
expect tar proc:/tar ev:mkdir:/tar/w/src ev:mkdir:/tar/w/src/sub \
	ev:open:/tar/w/src/sub/file ev:symlink:/tar/w/src/sub/link \
	ev:utime:/tar/w/src/sub/file ev:chown:/tar/w/src/sub/file

# rm -r through a symlinked directory: what it names by its directories'
# descriptors is at its real path, what it names through the link has it
# as "real"
traced rmsym sh -c 'mkdir -p t/sub; touch t/sub/g; ln -s t ln; rm -r ln/sub'
expect rmsym ev:unlink:/rmsym/w/t/sub/g \
	real:rmdir:/rmsym/w/ln/sub:"$T/rmsym/w/t/sub"

# cp -a and mv
traced cp cp -a "$T/src" copy
traced cp mv copy moved
expect cp proc:/cp proc:/mv ev:open:/cp/w/copy/sub/file \
	ev:mkdir:/cp/w/copy/sub ev:symlink:/cp/w/copy/sub/link \
	ev:utime:/cp/w/copy/sub/file ev:rename:/cp/w/copy

# git: init, add, commit (objects, index.lock renamed over index)
traced git sh -c 'git init -q repo && cd repo && echo x > f && git add f &&
	git -c user.name=t -c user.email=t@e commit -q -m m'
expect git proc:/git ev:mkdir:/git/w/repo/.git ev:open:/git/w/repo/.git/index.lock \
	ev:rename:/git/w/repo/.git/index.lock ev:rename:/git/w/repo/.git/HEAD.lock \
	stack:open:/git/w/repo/.git/index.lock::/git

# programs that change directory after many relative names (the tracer
# then remembers the cwd: preload/cwd.c): dash's cd, Python's os.chdir,
# and GNU find's -execdir, each followed by a file made by a relative name
traced cwd sh -c 'mkdir d e; for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	: > w$i; done; cd d && : > in-d && cd ../e && : > in-e
	'"$PY"' -c "
import os
for i in range(12): open(\"p%d\" % i, \"w\").close()
os.chdir(\"../d\")
open(\"py-in-d\", \"w\").close()
"
	cd .. && find d -name in-d -execdir sh -c ": > found-here" \;'
expect cwd ev:open:/cwd/w/d/in-d ev:open:/cwd/w/e/in-e \
	ev:open:/cwd/w/d/py-in-d ev:open:/cwd/w/d/found-here none:/w/e/py-in-d \
	none:/w/in-d none:/w/e/found-here

# sqlite3: a rollback journal appears and goes
traced sqlite sqlite3 db.sqlite 'create table t(a); insert into t values(1);'
expect sqlite proc:/sqlite3 ev:open:/sqlite/w/db.sqlite \
	ev:open:/sqlite/w/db.sqlite-journal ev:unlink:/sqlite/w/db.sqlite-journal \
	stack:open:/sqlite/w/db.sqlite-journal::libsqlite3

# what an exec hands the image it makes (preload/handover.c): each process
# below writes down the exe and mount namespace it sees of itself, and its
# proc record must say the same, however it was exec'd: a script through a
# symlinked directory, by a relative path, by dash's PATH search and by
# execvp's (env), a binary through two symlinks, and a script after
# unshare -m moved the process to another namespace.  The first process
# starts with a stale UNROOT_EXEC, which it must not believe; no process
# sees the variable in its environment.
mkdir -p "$T/ho"
cat >"$T/ho/self.sh" <<'EOF'
#!/bin/sh
echo "$$ $(readlink /proc/$$/exe) $(stat -L -c %i /proc/$$/ns/mnt)" >>"$SEEN"
EOF
chmod 755 "$T/ho/self.sh"
ln -s ho "$T/holink"
(
	export SEEN="$T/handover/seen" UNROOT_EXEC=1:0123456789abcdef:1:2:1:/stale/exe
	traced handover sh -c '
	echo "$$ $(readlink /proc/$$/exe) $(stat -L -c %i /proc/$$/ns/mnt)" >>"$SEEN"
	"$0"/holink/self.sh
	(cd "$0"/ho && ./self.sh)
	PATH="$0/ho:$PATH" self.sh
	PATH="$0/ho:$PATH" env self.sh
	/bin/python3 -c "import os
print(os.getpid(), os.readlink(\"/proc/self/exe\"), os.stat(\"/proc/self/ns/mnt\").st_ino)" >>"$SEEN"
	unshare -m "$0"/ho/self.sh
	env | grep -c UNROOT_EXEC >"$0"/handover/envcount
	true' "$T"
)
expect handover seen:"$T/handover/seen" proc:/unshare
if [ "$(cat "$T/handover/envcount")" != 0 ] ||
	[ "$(wc -l <"$T/handover/seen")" != 7 ]; then
	echo "FAIL handover: UNROOT_EXEC in $(cat "$T/handover/envcount") environments; $(wc -l <"$T/handover/seen") of 7 processes wrote"
	fails=$((fails + 1))
fi

# an exec from a forked child (bash forks for each command) through a path
# of about 3,700 bytes whose 18th directory is a link to a longer absolute
# path: the strings the exec wrapper writes share one array
# (preload/exec.c, struct strpile), and a path the walk grows, putting the
# link's target in place of its name, may not run into the real path
# beside it.  Each record names the path as given and its real path, the
# new images' proc records what they see of themselves, and the program's
# image was handed its real path (handover.c).
long="$T/fx"
real="$T/fy"
for i in $(seq 17); do
	real="$real/$(printf "p%099d" "$i")"
done
for i in $(seq 36); do
	c=$(printf "%0100d" "$i")
	long="$long/$c"
	if [ "$i" = 18 ]; then
		mkdir -p "$real/r$c" "$(dirname "$long")"
		ln -s "$real/r$c" "$long"
		real="$real/r$c"
	elif [ "$i" -gt 18 ]; then
		real="$real/$c"
	fi
done
mkdir -p "$real"
cp /bin/dash "$real/dash" # a program: the exec walks its path
cp "$T/ho/self.sh" "$real/self.sh"
# what the dash image was handed (the kernel's copy of its environment
# keeps what the preload took out of it)
cat >"$real/handed.sh" <<'EOF'
. "${0%/*}/self.sh"
tr '\0' '\n' </proc/$$/environ | grep '^UNROOT_EXEC=' >"$HANDED"
EOF
(
	export SEEN="$T/forkexec/seen" HANDED="$T/forkexec/handed"
	traced forkexec bash -c '"$1/dash" "$1/handed.sh"; "$1/self.sh"; true' \
		_ "$long"
)
expect forkexec seen:"$T/forkexec/seen" \
	real:exec:"$(printf "%0100d" 36)/dash":"$real/dash" \
	real:exec:"$(printf "%0100d" 36)/self.sh":"$real/self.sh"
if [ "$(wc -l <"$T/forkexec/seen")" != 2 ] ||
	! grep -q ":$real/dash\$" "$T/forkexec/handed"; then
	echo "FAIL forkexec: $(wc -l <"$T/forkexec/seen") of 2 processes wrote; handed: $(cut -c1-60 "$T/forkexec/handed")"
	fails=$((fails + 1))
fi

# a new root (preload/cwd.c, handover.c): chroot(1) changes its root and
# execs a program inside it, whose image must not be handed the root
# chroot started in, nor its claims: its proc record names the new root,
# and it claims that root (its os record) in the log directory it sees,
# the one at the same path inside the new root.
NR="$T/newroot"
for f in /bin/true $(ldd /bin/true | grep -o '/[^ ]*') "$LIB"; do
	mkdir -p "$NR$(dirname "$f")"
	cp "$f" "$NR$f"
done
mkdir -p "$NR/etc" "$NR$T/chroot/log"
chmod 1777 "$NR$T/chroot/log"
echo 'ID=newroot' >"$NR/etc/os-release"
traced chroot chroot "$NR" /bin/true
if ! $PY - "$NR$T/chroot/log" "$(stat -c %d:%i "$NR")" <<'PY'; then
import json, os, sys
log, want = sys.argv[1], sys.argv[2]
recs = [json.loads(l) for f in os.listdir(log) if f.endswith(".jsonl")
        for l in open(os.path.join(log, f)) if l.strip("\0\n")]
procs = [r for r in recs
         if r.get("t") == "proc" and r.get("exe", "").endswith("/true")]
oses = [(r.get("rootfs"), r.get("id")) for r in recs if r.get("t") == "os"]
if len(procs) != 1 or procs[0].get("rootfs") != want or \
        oses != [(want, "newroot")]:
    print("FAIL chroot: want rootfs", want, "procs", procs, "os", oses)
    sys.exit(1)
PY
	fails=$((fails + 1))
fi

# as uid 1001 in a directory root owns (0755): real EACCES, with stacks
mkdir -p "$T/ro"
chmod 755 "$T/ro"
traced denied as_user sh -c "
	{ echo x > $T/ro/sh-file; } 2>/dev/null
	mkdir $T/ro/d 2>/dev/null
	$PY -c 'open(\"$T/ro/py-file\", \"w\")' 2>/dev/null
	sqlite3 $T/ro/db.sqlite 'create table t(a);' 2>/dev/null
	tar -C $T/ro -xf $T/a.tar 2>/dev/null
	git init -q $T/ro/repo 2>/dev/null
	true"
expect denied ev:open:/ro/sh-file:EACCES uid:open:/ro/sh-file:EACCES:1001 \
	ev:mkdir:/ro/d:EACCES stack:mkdir:/ro/d:EACCES:/mkdir \
	stack:open:/ro/py-file:EACCES:python3 uid:open:/ro/py-file:EACCES:1001 \
	stack:open:/ro/db.sqlite:EACCES:libsqlite3 \
	ev:mkdir:/ro/src:EACCES ev:mkdir:/ro/repo:EACCES

# without libunwind (an image that lacks it): the preload still loads and
# traces, with no stacks; libunwind is hidden by a bind mount of /dev/null
# in a private mount namespace
UNW=$(ldconfig -p | sed -n 's/.*libunwind.so.8 (libc6,x86-64) => //p' | head -n 1)
if [ "$(id -u)" = 0 ] && [ -n "$UNW" ] && command -v unshare >/dev/null; then
	mkdir -p "$T/nounwind/log" "$T/nounwind/w"
	chmod 1777 "$T/nounwind/log"
	unshare -m sh -c "mount --bind /dev/null '$UNW' &&
		cd '$T/nounwind/w' && UNROOT_LOG='$T/nounwind/log' LD_PRELOAD='$LIB' \
		sh -c 'echo x > f; mkdir d'"
	expect nounwind proc:/dash ev:open:/nounwind/w/f ev:mkdir:/nounwind/w/d nostack:
else
	echo "--- nounwind: skipped (needs root, unshare and libunwind)"
fi

# the programs behave the same with and without the tracer (the one
# visible difference, the log descriptor in /proc/self/fd, is left out)
bare=$(cd "$T" && sqlite3 :memory: 'select 1+1;' && tar -tf a.tar | sort && \
	$PY -c 'import os; print(sorted(os.listdir("src/sub")))' ; \
	sh -c 'exit 3' || echo "status $?")
mkdir -p "$T/same/log" && chmod 1777 "$T/same/log"
traced_out=$(cd "$T" && export UNROOT_LOG="$T/same/log" LD_PRELOAD="$LIB" && \
	sqlite3 :memory: 'select 1+1;' && tar -tf a.tar | sort && \
	$PY -c 'import os; print(sorted(os.listdir("src/sub")))' ; \
	sh -c 'exit 3' || echo "status $?")
if [ "$bare" != "$traced_out" ]; then
	echo "FAIL output differs under the tracer:"
	echo "bare:   $bare"
	echo "traced: $traced_out"
	fails=$((fails + 1))
fi

if [ $fails -ne 0 ]; then
	echo "$fails program(s) failed"
	exit 1
fi
echo "all real programs traced as expected"
