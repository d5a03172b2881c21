#!/bin/sh
# harden.sh CASE - end to end for `unroot harden` against a real Docker
# engine (every container runs with --network none).  Each case hardens a
# copy of its Dockerfile and context in a scratch directory:
#   example NAME  examples/NAME goes from its root Dockerfile to a verified
#                 non-root image: exit 0, the last run as the user has zero
#                 denials, the image's USER is not root
#   service       a config file shipped 640 root:svc and a state directory
#                 owned by svc: by default the plan runs as svc (it needs
#                 no grant); with --user app the root run's plan is not
#                 enough, a later round joins svc's group, and the result
#                 grants only what is needed (the config stays 640
#                 root:svc, no recursive chown); harden then runs it as
#                 --user UID:GID with the plan's --group-add, verified
#   readonly      a write under a read-only bind mount: harden stops after
#                 a round with no progress (exit 1) and names the denial
#                 with the run arguments its README documents:
#                 1-serve-readonly  -v CTX/model:/models:ro
#                 4-train-to-host   -v HOSTDIR:/app/model: with HOSTDIR
#                                   root's, harden stops (exit 1) naming
#                                   the host fix chown 1001:1001 HOSTDIR;
#                                   once the test made it, harden verifies
#                 nginx             its run.sh (bounded by --stop-after 60),
#                                   then nginx in the foreground stopped
#                                   by --stop-after 3
#   server        a server that runs until stopped: --stop-after ends each
#                 run with SIGTERM, and the same status as root verifies
#   paths         a workload whose cache moves when it is not root
#                 (/var/cache/app as root, ~/.cache/app otherwise): the
#                 root run's plan misses it, it converges in 2 or 3 rounds
#   probe         a server whose config only root finds: as the user it
#                 runs with no denial and root's exit status, but the
#                 --probe of its port fails, so harden stops unverified
#                 (exit 1) saying so, and the probe left no trace
#   healthcheck   the same server with its config in /etc and a
#                 HEALTHCHECK: harden probes with it (docker's own check
#                 off in the traced runs) and verifies once it passes
#   early         the server made to exit when it finds no config: as the
#                 user it ends before --stop-after with root's status and
#                 no denial, and harden does not call that verified
#   rootfails     a command that fails as root and succeeds as the user:
#                 not verified (root's run is what verifies), and said so
#                 in those words, not as a failure the tracer missed
#   tempname      a start script's mktemp -d directory given to svc,
#                 hardened for another user: the plans never grant a name
#                 a run made (every build succeeds), the refused chown is
#                 named, and the set-uid su the preload cannot follow as
#                 the user is among the warnings harden prints
#   roottoo       a chown refused in root's run too (a step it runs as a
#                 service user): the same denial in the user's run, of
#                 another mktemp name, does not stop harden, which
#                 verifies and lists it as root's too
set -eu
case=$1
. "$SRC/tests/container/common.sh"
ensure_images bookworm
ensure_payload

ctx=$WORK/ctx
out=$WORK/harden.out
W0=$WORK/w
case $case in
example) src=$SRC/examples/$2; tag=unroot-harden-test-$2:latest ;;
healthcheck | early | rootfails) src=$SRC/tests/harden/probe; tag=unroot-harden-test-$case:latest ;;
*) src=$SRC/tests/harden/$case; tag=unroot-harden-test-$case:latest ;;
esac
cp -r "$src" "$ctx"

. "$SRC/tests/harden/lib.sh"

image_user() { docker image inspect --format '{{.Config.User}}' "$tag"; }
in_image() { docker run --rm --network none --entrypoint /bin/sh "$tag" -c "$1"; }

# verified WHAT: harden exited 0 and said so, the last round's trace has
# no denial, the image's USER is not root and the diff shows it
verified() {
	[ "$rc" -eq 0 ] || fail "harden did not verify $1 (exit $rc)"
	grep -q '^== unroot harden: verified' "$out" || fail "no 'verified' summary"
	last_round
	n=$(count_denials "$last")
	[ "$n" -eq 0 ] || fail "$n denials in the last run ($last)"
	case $(image_user) in
	"" | 0 | 0:* | root | root:*) fail "$tag runs as '$(image_user)'" ;;
	esac
	grep -q "^+USER " "$out" || fail "the diff does not show the USER line"
	sed -n 's/^rounds: /   rounds: /p' "$out"
}

# clean_but_unverified WHAT: harden stopped (exit 1) though the last run as
# the user had no denial and root's exit status: WHAT alone failed it
clean_but_unverified() {
	[ "$rc" -eq 1 ] || fail "harden should stop unverified (exit 1), not $rc"
	grep -q '^== unroot harden: NOT verified' "$out" || fail "no 'NOT verified' summary"
	last_round
	n=$(count_denials "$last")
	[ "$n" -eq 0 ] || fail "$n denials in the last run: $1 should be all that fails"
	grep -q "denials as the user, same exit status as root" "$out" ||
		fail "the user's run should have root's exit status"
}

case $case in
example)
	case $2 in
	1-serve-readonly)
		# the model is bind-mounted read-only, as its README runs it
		harden -- -v "$ctx/model:/models:ro"
		verified "$2"
		;;
	4-train-to-host)
		# (a) the host directory as root left it: nothing in the image
		# can fix it, harden stops and names the host section's chown
		host=$WORK/model-out
		mkdir -p "$host"
		if [ "$(stat -c %u "$host")" != 1001 ]; then
			harden -- -v "$host:/app/model"
			[ "$rc" -eq 1 ] || fail "harden should stop with 1 on a root-owned host dir, not $rc"
			grep -q "its owner is fixed on the host (chown 1001:1001)" "$out" ||
				fail "harden does not say the host directory is fixed on the host"
			grep -q "on the host run: chown 1001:1001 '$host'" "$out" ||
				fail "the host fix for $host is not named"
		fi
		# (b) the host section done (harden itself never changes the
		# host): the test chowns the directory to 1001, harden verifies
		chown 1001:1001 "$host" 2>/dev/null || {
			echo "SKIP: cannot chown $host to 1001 (not root); part (a) passed"
			exit 77
		}
		W=$WORK/w2
		harden -- -v "$host:/app/model"
		verified "$2"
		[ "$(stat -c %u "$host/model.txt" 2>/dev/null)" = 1001 ] ||
			fail "the user's run did not save $host/model.txt"
		;;
	nginx)
		# (a) as its README runs it: run.sh starts nginx, exercises it
		# and stops it; --stop-after only bounds a run that hangs
		harden --stop-after 60
		verified "$2"
		grep -q "run.sh: ok" "$last.log" ||
			fail "run.sh did not finish as the user"
		# (b) nginx as a server in the foreground, ended by --stop-after
		W=$WORK/w2
		tag=unroot-harden-test-nginx-fg:latest
		harden -o "$ctx/Dockerfile.fg" --stop-after 3 -- \
			nginx -c /etc/nginx/unroot-example.conf -g 'daemon off;'
		verified "$2 (nginx in the foreground)"
		grep -q "stopped by --stop-after" "$out" || fail "the runs were not stopped"
		;;
	*)
		harden
		verified "$2"
		;;
	esac
	;;
paths)
	harden --max-rounds 3
	verified "the workload whose paths change"
	rounds=$(sed -n 's/^rounds: \([0-9]*\) run.*/\1/p' "$out")
	case ${rounds:-0} in
	2 | 3) ;;
	*) fail "converged in ${rounds:-?} round(s), not 2 or 3: the root run's plan cannot know ~/.cache/app" ;;
	esac
	grep -q "/home/nonroot -> EACCES" "$ctx/Dockerfile.nonroot" ||
		fail "the denial of the user's cache is not what fixed it"
	got=$(docker run --rm --network none "$tag")
	[ "$got" = "cached as uid 1001" ] || fail "the hardened image printed: $got"
	;;
service)
	# (a) by default the plan compares running as svc with a new user
	# joined to svc's group: svc needs no grant, so it runs as svc
	harden
	[ "$rc" -eq 0 ] || fail "harden did not verify the service (exit $rc)"
	last_round
	n=$(count_denials "$last")
	[ "$n" -eq 0 ] || fail "$n denials in the last run"
	grep -q "^USER 999:999" "$ctx/Dockerfile.nonroot" ||
		fail "the plan does not run as the service user svc"
	sed -n '/unroot apply: begin/,/unroot apply: end/p' "$ctx/Dockerfile.nonroot" |
		grep -q "useradd\|adduser" &&
		fail "a user is created although svc runs the service"
	grep -q "runs as the service user svc" "$out" || fail "the choice is not said"
	id=$(docker run --rm --network none --entrypoint id "$tag")
	echo "the image runs as: $id"
	case $id in
	uid=999\(svc\)*) ;;
	*) fail "the image does not run as svc: $id" ;;
	esac
	# (b) a user named with --user: the root run shows no read, so its
	# plan is not enough; the run as the user is denied the config, and
	# the next round joins svc's group (never a wider mode or a chown)
	tag=unroot-harden-test-service-app:latest
	W=$WORK/w2
	harden --user app -o "$ctx/Dockerfile.app"
	[ "$rc" -eq 0 ] || fail "harden --user app did not verify the service (exit $rc)"
	rounds=$(sed -n 's/^rounds: \([0-9]*\) run.*/\1/p' "$out")
	[ "${rounds:-0}" -ge 2 ] || fail "converged in ${rounds:-?} round(s): the root run's plan should not have been enough"
	last=$(ls -d "$WORK"/w2/round*/ | grep -v "round[0-9]*-" | sed 's:/$::' | sort -V | tail -1)
	n=$(count_denials "$last")
	[ "$n" -eq 0 ] || fail "$n denials in the last run"
	grep -q "usermod -aG 'svc' 'app'" "$ctx/Dockerfile.app" ||
		fail "the user does not join svc's group"
	# run as docker run --user UID:GID would, which drops /etc/group:
	# harden's last run had exactly the plan's --group-add
	grep -q "as --user 1001:1001 with the plan's --group-add" "$out" ||
		fail "harden did not run the image with an explicit group"
	grep -q -- "--group-add=$(in_image 'getent group svc | cut -d: -f3')" "$last.log" ||
		fail "the explicit-group run did not get svc's --group-add"
	# only what is needed: the config keeps its mode and owners, nothing
	# is made world-readable or given away recursively
	st=$(in_image 'stat -c "%a %U:%G" /etc/svc/svc.conf')
	[ "$st" = "640 root:svc" ] || fail "/etc/svc/svc.conf became $st"
	sed -n '/unroot apply: begin/,/unroot apply: end/p' "$ctx/Dockerfile.app" |
		grep -q 'chown -R\|chmod \|o+r\|o+w\|a+r\|777' &&
		fail "the hardened Dockerfile grants more than needed"
	id=$(docker run --rm --network none --entrypoint id "$tag")
	echo "the image runs as: $id"
	case $id in
	uid=1001\(app\)*svc*) ;;
	*) fail "the user is not app in svc's group: $id" ;;
	esac
	;;
readonly)
	data=$WORK/data
	mkdir -p "$data"
	echo input >"$data/in.txt"
	harden -- -v "$data:/data:ro"
	[ "$rc" -eq 1 ] || fail "harden should stop with 1, not $rc"
	grep -q "^== stopped: round 1 adds nothing to the plan" "$out" ||
		fail "harden did not stop after the first round without progress"
	grep -q "/data/out.txt -> EROFS" "$out" || fail "the denial is not named"
	grep -q "mounted read-only" "$out" || fail "the reason is not given"
	[ ! -e "$data/out.txt" ] || fail "something wrote into the read-only mount"
	;;
server)
	harden --stop-after 2
	[ "$rc" -eq 0 ] || fail "harden did not verify the server (exit $rc)"
	grep -q "stopped by --stop-after" "$out" || fail "the runs were not stopped"
	last_round
	n=$(count_denials "$last")
	[ "$n" -eq 0 ] || fail "$n denials in the last run"
	grep -q "/run/serve" "$ctx/Dockerfile.nonroot" || fail "no grant for /run/serve"
	;;
probe)
	harden --stop-after 3 --probe 'python3 /psrv.py --check' \
		--probe-delay 1 --probe-timeout 5
	# the run itself looks fine: only the probe tells
	clean_but_unverified "the probe"
	grep -q "probe passed as root" "$out" || fail "the probe did not pass as root"
	grep -q "probe FAILED as the user" "$out" || fail "the probe's failure as the user is not said"
	grep -q "the probe passed as root, not as the user" "$out" ||
		fail "the reason the round does not count is not said"
	grep -q "listening on 127.0.0.1:8081" "$last.log" ||
		fail "the server did not start on its default port as the user"
	# untraced: the server is the one process of each trace, though the
	# probe ran in its container (python3 /psrv.py --check through sh)
	for t in "$W0"/round0 "$last"; do
		"$UNROOT" report "$t" | grep -q "^Trace: 1 processes" ||
			fail "the probe's processes are in the trace $t: $("$UNROOT" report "$t" | grep '^Trace:')"
	done
	;;
healthcheck)
	cp "$ctx/Dockerfile.health" "$ctx/Dockerfile"
	harden --stop-after 3 --probe-timeout 10
	verified "the server with a HEALTHCHECK"
	grep -q "probe (the image's HEALTHCHECK): python3 /psrv.py --check" "$out" ||
		fail "the HEALTHCHECK is not the probe"
	grep -q "probe passed as the user" "$out" || fail "the probe did not pass as the user"
	grep -q "^probe: python3 /psrv.py --check passed as the user" "$out" ||
		fail "the summary does not name the probe"
	grep -q -- "--no-healthcheck" "$W0/round0.log" ||
		fail "docker's own health check was not turned off in the traced run"
	grep -q "/run/psrv" "$ctx/Dockerfile.nonroot" || fail "no grant for /run/psrv"
	;;
early)
	harden --stop-after 3 -- python3 /psrv.py --strict
	clean_but_unverified "the early exit"
	grep -q "stopped by --stop-after" "$out" || fail "the root run was not stopped"
	grep -q "exited by itself after .* before --stop-after 3 s" "$out" ||
		fail "the early exit as the user is not said"
	;;
rootfails)
	# memcached -u writing its pid file where the user it drops to cannot,
	# reduced: fails as root, succeeds as anyone else
	harden -- sh -c 'test "$(id -u)" != 0'
	[ "$rc" -eq 1 ] || fail "harden should stop unverified (exit 1), not $rc"
	grep -q "fails as root too (exit 1" "$out" || fail "root's failure is not said first"
	grep -q "^exit status 0 as the user, 1 as root: the user's run succeeds where root's fails" "$out" ||
		fail "the user's success is called something else"
	grep -q "did not see as a denial" "$out" && fail "a success is called a failure the tracer did not see"
	;;
tempname)
	harden --user app --max-rounds 3
	[ "$rc" -ne 125 ] || fail "a build or docker failed (exit 125): a plan named a path the image lacks"
	made=$(sed -n 's|.*start: \(/run/svc/socks\.[A-Za-z0-9]*\) ready.*|\1|p' "$W0"/round1.log)
	[ -n "$made" ] || fail "the user's run did not make its directory (round1.log)"
	# the planner reads the whole run: the mkdir that made it, not only
	# the chown that was denied
	ls "$W0"/round1-feed/*.jsonl >/dev/null 2>&1 || fail "no feed of round 1 for the planner"
	grep -h "\"path\":\"$made\"" "$W0"/round1-feed/*.jsonl | grep '"op":"mkdir"' |
		grep -q '"ret":0' || fail "the planner was not fed the mkdir of $made"
	# no line (comments aside) of any round's Dockerfile names a run's name
	for f in "$W0"/Dockerfile.round* "$ctx/Dockerfile.nonroot"; do
		grep -v '^[[:space:]]*#' "$f" | grep -q 'socks\.' &&
			fail "$f grants a name made for one run: $(grep -v '^[[:space:]]*#' "$f" | grep 'socks\.')"
	done
	# the plan after that round refuses the chown of the run's name (in
	# its comments) instead of granting it
	grep -q "^# not granted: chown chown $made -> EPERM" "$ctx/Dockerfile.nonroot" ||
		fail "the plan after round 1 does not refuse the chown of $made"
	grep -q "chown.*$made" "$out" || fail "the refused chown of $made is not named"
	# the trace's warnings are harden's output, as unroot report words them
	grep -q "^   [0-9]* warnings* of the trace:" "$out" || fail "no warnings of the trace in harden's output"
	grep -q "NOT TRACED: .*/su (setuid)" "$out" ||
		fail "the untraced su is not named in harden's output"
	;;
roottoo)
	harden
	[ "$rc" -eq 0 ] || fail "harden did not verify (exit $rc)"
	grep -q '^== unroot harden: verified' "$out" || fail "no 'verified' summary"
	grep -q "^   1 denial as root$" "$out" || fail "root's run was not denied once"
	grep -q "^   0 denials as the user (set aside: 1 that root's run had too), same exit status as root" "$out" ||
		fail "the user's denial is not counted as root's too"
	made=$(sed -n 's|^start: \(/tmp/build\.[A-Za-z0-9]*\)/out.so stays.*|\1|p' "$W0"/round1.log)
	[ -n "$made" ] || fail "the user's run did not build in a directory of its own"
	grep -A1 "^denied as the user and as root alike" "$out" |
		grep -q "^  chown chown $made/out.so -> EPERM$" ||
		fail "the denial root's run had too is not listed"
	grep -q "^+USER " "$out" || fail "the diff does not show the USER line"
	case $(image_user) in
	"" | 0 | 0:* | root | root:*) fail "$tag runs as '$(image_user)'" ;;
	esac
	;;
*) fail "unknown case $case" ;;
esac
echo "PASS: harden $case ${2:-}"
