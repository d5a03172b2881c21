# reads.sh BIN HELPER - with --reads, reads are recorded as the preload
# records them: every open for reading, and stat and access when denied
# (as uid 1001, below root's 0700 directory); without it no read stops
# the program and none is recorded.
. "$(dirname "$0")/lib.sh"
D=$T/private
mkdir "$D"
echo x >"$D/secret"
chmod 700 "$D"
echo x >"$T/public"
chmod 644 "$T/public"

new_log 1001
UNROOT_LOG=$T/log as_user "$H" --reads -- "$T/bin/probe" "$D/secret" \
	"$T/public" || fail "status $?"
expect "read=$D/secret=EACCES" "stat=$D/secret=EACCES" \
	"access=$D/secret=EACCES" "read=$T/public"

new_log 1001
UNROOT_LOG=$T/log as_user "$H" -- "$T/bin/probe" "$D/secret" "$T/public" ||
	fail "status $?"
! grep -q '"op":"\(read\|stat\|access\)"' "$T"/log/*.jsonl ||
	fail "reads recorded without --reads"
say "ok"
