# nnp.sh BIN HELPER - no-new-privs runs a set-uid program without its
# privilege: the tracer records it "untraced" with why "nnp" (and still
# records what it does).
. "$(dirname "$0")/lib.sh"
mkdir "$T/suid"
chmod 755 "$T/suid"
cp "$T/bin/signals" "$T/suid/prog"
chmod 4755 "$T/suid/prog"
new_log 1001
UNROOT_LOG=$T/log as_user "$H" -- "$T/suid/prog" ignore || fail "status $?"
expect "untraced:nnp=$T/suid/prog"
say "ok"
