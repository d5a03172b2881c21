# initshim.sh BIN HELPER root|uid1001 - a static init shim (tini-static,
# catatonit) under the helper runs untraced, its command through the
# helper again: the dynamic, preloaded command it starts is not under
# ptrace (its TracerPid is 0) and each of its events is recorded once, by
# the preload; the static program that command runs is traced, each event
# once.  Output and exit status are the shim's own.  A shim command line
# the helper cannot read with certainty (tini's getopt takes a later -s as
# its own) keeps the shim traced, and still records each event once.
. "$(dirname "$0")/lib.sh"
USER=$1
SHIM=$(command -v tini-static) || skip "tini-static (package tini) is missing"
LIB=$(dirname "$HELPER")/libunroot.so
[ -f "$LIB" ] || skip "no libunroot.so beside the helper"
cp "$LIB" "$T/bin/libunroot.so"
cp "$SHIM" "$T/bin/tini-static"
CATATONIT=$(command -v catatonit) && cp "$CATATONIT" "$T/bin/catatonit"
chmod -R a+rX "$T/bin"
W=$T/work
D=$T/rootdir
RUN=""
OWNER=root
if [ "$USER" = uid1001 ]; then
	RUN=as_user
	OWNER=1001
fi

# the command the shim starts: a dynamic sh that writes, says whether it
# is traced, and runs the static workload
cat >"$T/cmd.sh" <<EOF
#!/bin/sh
touch "$W/by-sh"
grep TracerPid /proc/\$\$/status >"$W/tracerpid"
"$T/bin/workload" "$W" "$D"
echo "cmd: done"
exit 3
EOF
chmod a+rx "$T/cmd.sh"

# shim NAME ARG...: run the shim under the helper with the preload, as
# USER, in a fresh W and log; prints output and status
shim() {
	rm -rf "$W" "$D" && mkdir "$W" "$D" && chmod 755 "$D"
	[ "$OWNER" = root ] || chown 1001:1001 "$W"
	new_log "$OWNER"
	UNROOT_LOG=$T/log LD_PRELOAD=$T/bin/libunroot.so $RUN "$H" -- "$@" \
		2>&1
	echo "status $?"
}
# bare ARG...: the same without the helper and the preload
bare() {
	rm -rf "$W" "$D" && mkdir "$W" "$D" && chmod 755 "$D"
	[ "$OWNER" = root ] || chown 1001:1001 "$W"
	$RUN "$@" 2>&1
	echo "status $?"
}

# shellcheck disable=SC2046 # one spec a word
once_specs() {
	for s in $(workload_specs "$W" "$D" "$USER" t0 t1 t2 t3 child); do
		printf 'once:ptrace:%s ' "$s"
	done
}

untraced_command() { # NAME: the dynamic command ran without a tracer
	grep -q "TracerPid:	0$" "$W/tracerpid" ||
		fail "$1: the dynamic command is under ptrace: $(cat "$W/tracerpid")"
}

want=$(bare "$T/bin/tini-static" -s -- "$T/cmd.sh")
out=$(shim "$T/bin/tini-static" -s -- "$T/cmd.sh")
say "tini: $out"
[ "$out" = "$want" ] || fail "output or status differ; without the helper: $want"
echo "$out" | grep -q "^status 3$" || fail "not the command's status"
untraced_command tini
# shellcheck disable=SC2046
expect mixed "once:preload:open=$W/by-sh" "once:preload:exec=$T/bin/workload" \
	$(once_specs)

if [ -n "$CATATONIT" ]; then
	out=$(shim "$T/bin/catatonit" -- "$T/cmd.sh")
	echo "$out" | grep -q "^status 3$" || fail "catatonit: $out"
	untraced_command catatonit
	# shellcheck disable=SC2046
	expect mixed "once:preload:open=$W/by-sh" $(once_specs)
fi

# tini's getopt (glibc, permuting) takes the -s after the command as its
# own: the helper does not rewrite it and traces the shim as any static
# program; the preload still records the dynamic command, the tracer only
# follows it
out=$(shim "$T/bin/tini-static" "$T/cmd.sh" -s)
echo "$out" | grep -q "^status 3$" || fail "traced tini: $out"
grep -q "TracerPid:	0$" "$W/tracerpid" &&
	fail "a shim command line the helper cannot read was not traced"
# shellcheck disable=SC2046
expect mixed "once:preload:open=$W/by-sh" $(once_specs)
say "ok"
