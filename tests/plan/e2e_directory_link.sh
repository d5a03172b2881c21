#!/bin/sh
# e2e_directory_link.sh - pid files written through a symlinked directory,
# as Debian's /var/run is /run: one by a dynamic program (dash, under the
# preload), one by a static one (busybox, under the fallback tracer).  The
# kernel makes each name in the link's target, root's 0755 directory, so
# the user needs a grant there, and the plan must give it on the path
# where the files land, $IMG/run, never through the link (whose own mode,
# 0777, says nothing of who may write).
set -eu
. "$(dirname "$0")/lib_e2e.sh"
BB=/bin/busybox
file -L "$BB" 2>/dev/null | grep -q 'statically linked' ||
	skip "no static busybox (package busybox-static)"

fixdir "$IMG/run" "$IMG/var"
ln -s ../run "$IMG/var/run"
cp "$BB" "$S/busybox"
chmod 755 "$S/busybox"
W="echo \$\$ > $IMG/var/run/app.pid; $S/busybox touch $IMG/var/run/static.pid"

profile sh -c "$W"
"$UNROOT" report "$S/trace-root" | grep -q 'Seen by the fallback tracer' ||
	fail "busybox was not traced by the fallback tracer"
rm -f "$IMG/run/app.pid" "$IMG/run/static.pid"
make_plan
grep -q "var/run" "$S/plan.sh" && fail "the plan names the link, not where the files land"
apply_plan
expect_changed "$IMG/run/app.pid" "$IMG/run/static.pid"
run_user sh -c "$W"
echo "PASS $E2E_NAME"
