#!/bin/sh
# e2e_apply_examples.sh - `unroot apply` on every examples/*/Dockerfile,
# with a trace from a small real run (a directory, a log file, a pid file
# removed at exit, a HOME cache): applying twice (on the input, and again
# on its own output) gives identical text, the input is never changed, the
# block appears once, before CMD/ENTRYPOINT, and ends with a numeric USER.
# The same with --no-shell (a build stage before the final FROM) and
# --read-only.  No docker build here (tests/container does that).
set -eu
. "$(dirname "$0")/lib_e2e.sh"

EX=$E2E_DIR/../../examples
fixdir "$IMG/app" "$IMG/run"
cat >"$IMG/app/work.sh" <<EOF2
#!/bin/sh
set -e
mkdir -p "$IMG/app/model/epoch1"
echo weights >"$IMG/app/model/epoch1/w.bin"
echo started >>"$IMG/app/app.log"
echo \$\$ >"$IMG/run/app.pid"
mkdir -p "\$HOME/.cache/huggingface/hub"
echo x >"\$HOME/.cache/huggingface/hub/blob"
rm -f "$IMG/run/app.pid"
EOF2
chmod 755 "$IMG/app/work.sh"
profile "$IMG/app/work.sh"

n=0
for df in "$EX"/*/Dockerfile; do
	name=$(basename "$(dirname "$df")")
	for opts in "" --no-shell --read-only; do
		sum=$(sha256sum <"$df")
		out=$S/$name$opts
		# shellcheck disable=SC2086
		"$UNROOT" apply -f "$df" -o "$out.1" $opts "$S/trace-root" ||
			fail "apply $name $opts"
		# shellcheck disable=SC2086
		"$UNROOT" apply -f "$out.1" -o "$out.2" $opts "$S/trace-root" ||
			fail "apply $name $opts on its own output"
		# shellcheck disable=SC2086
		"$UNROOT" apply -f "$df" -o "$out.3" $opts "$S/trace-root" ||
			fail "apply $name $opts again"
		cmp -s "$out.1" "$out.2" || {
			diff "$out.1" "$out.2" >&2 || true
			fail "$name $opts: a second apply changed its own output"
		}
		cmp -s "$out.1" "$out.3" || fail "$name $opts: two applies differ"
		[ "$(sha256sum <"$df")" = "$sum" ] || fail "$name: the input changed"
		[ "$(grep -c '^# >>> unroot apply: begin' "$out.1")" = 1 ] ||
			fail "$name $opts: the block is not there once"
		grep -q '^USER 1001:1001$' "$out.1" || fail "$name $opts: no numeric USER"
		grep -q 'adduser -D -H -u 1001' "$out.1" ||
			[ "$opts" = --no-shell ] || fail "$name $opts: no busybox fallback"
		# nothing of the plan after the CMD/ENTRYPOINT that ends the stage
		awk '/^# >>> unroot apply: begin/ { b = NR }
		     /^(CMD|ENTRYPOINT)/ { c = NR }
		     END { exit !(b && (!c || b < c)) }' "$out.1" ||
			fail "$name $opts: the block is not before CMD/ENTRYPOINT"
		n=$((n + 1))
	done
done
[ "$n" -ge 15 ] || fail "only $n Dockerfiles applied"
note "$n applies, each idempotent"
echo "PASS $E2E_NAME"
