# lib.sh - sourced by the harden tests (harden.sh, readonly_root.sh) after
# tests/container/common.sh, once they set ctx (the scratch copy of the
# Dockerfile's context), tag and out.  W, when set, names harden's work
# directory instead of $WORK/w.

# harden [ARGS...]: run unroot harden on the copy; its status in $rc
harden() {
	step "unroot harden -f $ctx/Dockerfile -t $tag -w ${W:-$WORK/w} $*"
	rc=0
	"$UNROOT" harden -f "$ctx/Dockerfile" -t "$tag" -w "${W:-$WORK/w}" "$@" \
		>"$out" 2>&1 || rc=$?
	cat "$out"
	echo "(exit $rc)"
}

# last_round sets $last, the last round's trace (roundN, never roundN-feed
# or another roundN-* work directory), and checks that it reads
last_round() {
	last=$(ls -d "${W:-$WORK/w}"/round*/ | grep -v "round[0-9]*-" | sed 's:/$::' | sort -V | tail -1)
	"$UNROOT" report "$last" >/dev/null || fail "no readable trace in $last"
}
