# go_cgo.sh BIN HELPER UNROOT PRELOAD root|uid1001 - a Go program linked
# with libc (cgo: the loader runs and loads the preload, but Go's runtime
# makes its system calls itself) is traced by the fallback tracer on
# every route a program starts by: as `unroot run`'s first program, from
# a shell script (the preload's exec wrapper), and through `--if-static`
# (`unroot docker`'s entrypoint).  Each of its calls is recorded once, by
# the tracer: the preload in it records nothing (no proc record of its
# own, no double events), the summary warns of nothing, and the program
# keeps its output and status.
. "$(dirname "$0")/lib.sh"
stage_unroot "$1" "$2"
USER=$3
P=$T/bin/workload-go-cgo
[ -x "$P" ] || skip "the cgo Go workload was not built"
# the rule is for programs the loader runs: this one must be dynamic
ldd "$P" >/dev/null 2>&1 || fail "$P is not dynamically linked"
app_root "$USER"
bare=$($RUN "$P" "$W" "$D" 2>&1) || fail "bare run failed: $bare"
rm -rf "${W:?}"/* "$D/newdir" "$D/newfile"
specs=$(workload_specs "$W" "$D" "$USER" g0 g1 g2 g3 child)
# the inet binds: "net" records, as the preload writes them
specs="$specs net:127.0.0.1:0"
[ "$USER" = uid1001 ] && specs="$specs net:127.0.0.1:1023=EACCES"
once=""
for s in $specs; do once="$once once:ptrace:$s"; done
# no image of the Go program has a record of the preload's
no_preload_proc() {
	"$LOGCAT" "$1" | grep '"t":"proc"' | grep "workload-go-cgo" |
		grep -v '"tracer":"ptrace"' && fail "the preload wrote a proc record"
	return 0
}

# 1. unroot run's first program: the tracer records everything (no
# preload record at all: not "mixed"), once
out=$(cd "$T" && $RUN "$U" run -o "$T/tr/a" -- "$P" "$W" "$D" 2>"$T/err") ||
	fail "status $?: $out $(cat "$T/err")"
cat "$T/err"
[ "$out" = "$bare" ] || fail "output changed: '$out', bare '$bare'"
grep -q "NOT TRACED\|INCOMPLETE" "$T/err" && fail "the summary warns"
grep -q "^  none" "$T/err" || fail "the summary has warnings"
# shellcheck disable=SC2086 # one spec a word
python3 "$HERE/expect.py" "$T/tr/a/log" files:2 $once || fail "run: records"

# 2. from a shell script: the exec wrapper hands it to the helper
rm -rf "${W:?}"/* "$D/newdir" "$D/newfile"
# shellcheck disable=SC2016 # expanded by sh -c
out=$(cd "$T" && $RUN "$U" run -o "$T/tr/b" -- sh -c '"$0" "$1" "$2"; true' \
	"$P" "$W" "$D" 2>"$T/err") || fail "status $?: $(cat "$T/err")"
[ "$out" = "$bare" ] || fail "output changed under sh: '$out'"
grep -q "NOT TRACED\|INCOMPLETE" "$T/err" && fail "the summary warns (sh)"
# shellcheck disable=SC2086
python3 "$HERE/expect.py" "$T/tr/b/log" mixed "preload:exec=$P" $once ||
	fail "sh: records"
no_preload_proc "$T/tr/b/log"

# 3. the container entrypoint's route: --if-static traces it (as uid
# 1001, setpriv is preloaded too: mixed)
rm -rf "${W:?}"/* "$D/newdir" "$D/newfile"
new_log "$([ "$USER" = uid1001 ] && echo 1001 || echo root)"
out=$(UNROOT_LOG=$T/log LD_PRELOAD=$T/u/lib/unroot/libunroot.so $RUN \
	"$H" --if-static -- "$P" "$W" "$D" 2>&1) || fail "status $?: $out"
[ "$out" = "$bare" ] || fail "output changed under --if-static: '$out'"
# shellcheck disable=SC2086
expect mixed files:2 $once
no_preload_proc "$T/log"
say "ok"
