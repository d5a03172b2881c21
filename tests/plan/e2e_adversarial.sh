#!/bin/sh
# e2e_adversarial.sh - names the workload controls, end to end: a
# workload creates `$(touch /tmp/pwned)`, a name with a newline, quotes,
# backticks and invalid UTF-8 under /app/out, which is missing from the
# image, and rewrites a shipped file with such a name.  The plan's sh
# script, run as root, must not run any of it as code, must change only
# the intended paths, and the user's run must have zero denials.
set -eu
. "$(dirname "$0")/lib_e2e.sh"

PWNED=/tmp/pwned-unroot-$$
rm -f "$PWNED"
# "$(touch /tmp/pwned...)" holds a slash: "$(touch /tmp" is a directory
fixdir "$IMG/app" "$IMG/app/data" "$IMG/app/data/\$(touch /tmp"
cat >"$IMG/app/evil.py" <<PY
import os
pw = "$PWNED"
names = ["\$(touch %s)" % pw, "\`touch %s\`" % pw, "new\nline; touch %s" % pw,
         "it's \"quoted\"", "sp ace"]
out = b"$IMG/app/out"
os.makedirs(out, exist_ok=True)
for n in names:
    d = os.path.join(out, os.fsencode(n))
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, b"f"), "w").write("x")
with open(os.path.join(out, b"bad-\xff\xfe-utf8"), "w") as f:
    f.write("x")
# a shipped file with a hostile name, rewritten in place
with open(b"$IMG/app/data/\$(touch " + pw.encode() + b")", "w") as f:
    f.write("rewritten")
# a shipped file named with a newline, a quote and invalid UTF-8
with open(b"$IMG/app/data/new\nline'q\xff", "w") as f:
    f.write("rewritten")
print("done")
PY
"$PY" -c 'import sys; open(sys.argv[1].encode() + b"/new\nline\x27q\xff", "w").write("orig")' "$IMG/app/data"
chmod 644 "$IMG/app/data/new"*
printf 'orig' >"$IMG/app/data/\$(touch $PWNED)"
chmod 644 "$IMG/app/evil.py" "$IMG/app/data/\$(touch $PWNED)"

profile "$PY" "$IMG/app/evil.py"
[ ! -e "$PWNED" ] || fail "the workload itself created $PWNED"
make_plan
rm -rf "$IMG/app/out"
apply_plan
[ ! -e "$PWNED" ] || { rm -f "$PWNED"; fail "applying the plan ran a name as code"; }
# /app/out is pre-created; the hostile shipped file is owned; nothing else
printf '%s\n' "$IMG/app/data/\$(touch $PWNED)" "$IMG/app/out" \
	"$IMG/app/data/new\\x0aline'q\\xff" | LC_ALL=C sort >"$S/expected"
LC_ALL=C sort "$S/changed" | cmp -s - "$S/expected" ||
	{ diff "$S/expected" "$S/changed" >&2; fail "the plan changed other paths than expected"; }
run_user "$PY" "$IMG/app/evil.py"
[ ! -e "$PWNED" ] || { rm -f "$PWNED"; fail "$PWNED exists"; }
assert_stat "$IMG/app" "0:0 755"
assert_stat "$IMG/app/data" "0:0 755"
assert_stat "$IMG/app/data/\$(touch /tmp" "0:0 755"
echo "PASS $E2E_NAME"
