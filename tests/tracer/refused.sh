# refused.sh BIN HELPER - a static program run by uid 1001 under the
# helper is refused chroot, setgid, setresuid and setgroups (EPERM, as
# untraced): each refusal is a "priv" record with the directory made
# absolute or the ids asked for (a setgroups list read from the program),
# "tracer":"ptrace", and the program's own errno is kept.
. "$(dirname "$0")/lib.sh"
cp "$BIN/refuse" "$T/bin/refuse"
chmod a+rx "$T/bin/refuse"
new_log 1001
mkdir "$T/jail"
(cd "$T" && UNROOT_LOG=$T/log as_user "$H" -- "$T/bin/refuse" jail) ||
	fail "status $?: a call was not refused with EPERM"
recs=$(python3 "$LOGCAT" "$T/log" | grep '"t":"priv"')
echo "$recs"
for want in \
	"\"fn\":\"chroot\",\"path\":\"$T/jail\",\"ret\":-1,\"errno\":\"EPERM\"" \
	'"fn":"setgid","args":"0","ret":-1,"errno":"EPERM"' \
	'"fn":"setresuid","args":"-1,0,-1","ret":-1,"errno":"EPERM"' \
	'"fn":"setgroups","args":"0,27","ret":-1,"errno":"EPERM"'; do
	echo "$recs" | grep -qF "$want" || fail "no priv record with $want"
done
[ "$(echo "$recs" | grep -c '"tracer":"ptrace"')" = 4 ] ||
	fail "not four priv records of the helper"
say "ok"
