#!/bin/sh
# xcheck.sh raw|clean|pod|hostname - the cross-check of a container's
# layer with its trace (cli/layerdiff.c), and what else trace.json records
# of a docker run.
#
# raw: a dynamic program (rawsys.c) makes a directory and a file with raw
# syscall(2), which the preload does not see, and one file through libc.
# Under `unroot docker`, as root in /var/lib and as uid 1001 in a
# directory it owns: the report warns of both raw paths and of nothing
# else, the json report lists them, trace.json holds them with their
# state, and the plan (for a user who could not write there) grants both
# with evidence marked "seen only in the container's changes", in the
# dockerfile format's comments and the json format's field.  The --rm
# given is held back until the layer is read, then done.
#
# clean: ordinary traced workloads give no cross-check warning (the
# runtime's mount points, directories changed through a child and the
# tracer's own files are not reported): the examples' root and non-root
# images with their binds (the workloads of example.sh), the libc.sh
# workload on bullseye, trixie and musl, static.sh's static Go entrypoint
# (traced by unroot-ptrace), the Debian redis image tests/services
# builds, and writes through Debian's symlinked /var/run and /var/lock
# (the layer lists them where they land); the binds and tmpfs mounts are
# said once to be not covered.
#
# pod: `unroot docker` with -e (a value given, one taken from the host,
# one equal to the host's), -w, --entrypoint and a command; the Pod
# manifest (--format pod), parsed with python3-yaml, runs the same
# command, args, workingDir and env, and no host value is in it or in
# trace.json.
#
# The raw test's image is committed from a run (unroot-test-xcheck-raw),
# not built; the payload and base image are built (under the host-wide
# lock, which this test takes itself) only when missing.
# hostname: trace.json names the host name docker gave the container (the
# workload reads the same one), and none when the caller chose it (-h):
# the planner takes a name that holds it for one that exists for one run.
MODE=${1:?usage: xcheck.sh raw|clean|pod|hostname}
. "$(dirname "$0")/common.sh"
need_bookworm_and_payload

# no_xcheck_warning TRACE: the report has no cross-check warning
no_xcheck_warning() {
	"$UNROOT" report "$1" >"$WORK/report" || fail "unroot report $1"
	if grep -n "SEEN ONLY IN THE CONTAINER\|CROSS-CHECK FAILED" "$WORK/report"; then
		fail "a cross-check warning for the ordinary workload of $1"
	fi
	python3 - "$1/trace.json" <<'PY' || fail "no cross-check recorded in $1"
import json, sys
layer = json.load(open(sys.argv[1]))["layer"]
assert layer["changes"] >= 0 and layer["unseen"] == [], layer
PY
}

raw() {
	cc -O2 -o "$WORK/rawsys" "$SRC/tests/container/rawsys.c" ||
		fail "cannot build rawsys"
	# the image: unroot-base:bookworm with rawsys and a directory of uid
	# 1001's, committed from a run (no docker build)
	docker rm -f "unroot-test-xcheck-mk-$$" >/dev/null 2>&1
	docker run --network none --name "unroot-test-xcheck-mk-$$" \
		-v "$WORK/rawsys:/mnt/rawsys:ro" unroot-base:bookworm sh -c \
		'install -d -o 1001 -g 1001 -m 0755 /srv/u &&
		 install -m 0755 /mnt/rawsys /usr/local/bin/rawsys' ||
		fail "cannot prepare the image"
	docker commit "unroot-test-xcheck-mk-$$" unroot-test-xcheck-raw >/dev/null ||
		fail "docker commit"
	docker rm "unroot-test-xcheck-mk-$$" >/dev/null
	for user in root 1001; do
		case $user in
		root) dir=/var/lib planuid=1001 ;;
		*) dir=/srv/u planuid=2002 ;;
		esac
		t=$WORK/t-$user
		step "raw syscalls as $user in $dir"
		"$UNROOT" docker -o "$t" run --rm --name "unroot-test-xcheck-$$" \
			--user "$user:$user" unroot-test-xcheck-raw \
			rawsys "$dir" >"$WORK/out-$user" 2>&1 ||
			{ cat "$WORK/out-$user"; fail "rawsys failed as $user"; }
		cat "$WORK/out-$user"
		if docker container inspect "unroot-test-xcheck-$$" >/dev/null 2>&1; then
			docker rm -f "unroot-test-xcheck-$$" >/dev/null
			fail "the container was kept although --rm was given"
		fi
		for p in rawdir rawfile; do
			grep -q "SEEN ONLY IN THE CONTAINER'S CHANGES: added $dir/$p:" \
				"$WORK/out-$user" || fail "docker's summary does not warn of $dir/$p"
		done
		n=$(grep -c "SEEN ONLY IN THE CONTAINER" "$WORK/out-$user")
		[ "$n" -eq 2 ] || fail "$n cross-check warnings, expected 2"
		"$UNROOT" report "$t" | grep -q "SEEN ONLY.*: added $dir/rawfile:" ||
			fail "unroot report does not warn of $dir/rawfile"
		"$UNROOT" report --json "$t" | python3 -c '
import json, sys
d = sys.argv[1]
seen = [o["path"] for o in map(json.loads, sys.stdin) if o.get("seen_only_in_container_changes")]
assert sorted(seen) == [d + "/rawdir", d + "/rawfile"], seen
' "$dir" || fail "the json report does not list the raw paths"
		python3 - "$t/trace.json" "$dir" "$user" <<'PY' || fail "trace.json"
import json, sys
layer = json.load(open(sys.argv[1]))["layer"]
d, user = sys.argv[2], sys.argv[3]
un = {u["path"]: u for u in layer["unseen"]}
assert sorted(un) == [d + "/rawdir", d + "/rawfile"], un
assert un[d + "/rawdir"]["st"]["type"] == "dir", un
assert un[d + "/rawfile"]["st"]["type"] == "file", un
uid = 0 if user == "root" else 1001
assert un[d + "/rawfile"]["st"]["uid"] == uid, un
assert un[d + "/rawfile"]["parent"]["type"] == "dir", un
assert all(u["change"] == "A" for u in un.values())
PY
		"$UNROOT" plan --uid $planuid --format json "$t" >"$WORK/plan.json" ||
			fail "unroot plan --format json"
		python3 - "$WORK/plan.json" "$dir" <<'PY' || { cat "$WORK/plan.json"; fail "the json plan"; }
import json, sys
p, d = json.load(open(sys.argv[1])), sys.argv[2]
marked = {g["path"]: g for g in p["grants"]
          if g["evidence"]["seen_only_in_container_changes"]}
assert d + "/rawdir" in marked and d + "/rawfile" in marked, p["grants"]
assert marked[d + "/rawdir"]["kind"] == "mkdir", marked
assert marked[d + "/rawfile"]["kind"] == "touch", marked
# the traced write is planned as ever, not marked
assert not any(g["evidence"]["seen_only_in_container_changes"]
               for g in p["grants"] if g["path"] == d + "/traced"), p["grants"]
PY
		"$UNROOT" plan --uid $planuid "$t" >"$WORK/plan.df" || fail "unroot plan"
		cat "$WORK/plan.df"
		for p in rawdir rawfile; do
			grep -q "^# .* $dir/$p (seen only in the container's changes)" \
				"$WORK/plan.df" || fail "the dockerfile plan does not mark $dir/$p"
		done
	done
	echo "PASS: raw system calls are found through the container's changes"
}

# profile TAG ARGS...: unroot docker on an image, no cross-check warning
profile() {
	name=$1
	shift
	step "unroot docker $*"
	"$UNROOT" docker -o "$WORK/$name" -- run --rm "$@" >"$WORK/$name.out" 2>&1 ||
		echo "(exit $?: only the cross-check is checked here)"
	grep -n "SEEN ONLY IN THE CONTAINER\|CROSS-CHECK FAILED" "$WORK/$name.out" &&
		fail "docker's summary warns of the ordinary workload $name"
	no_xcheck_warning "$WORK/$name"
}

clean() {
	hostdir=$WORK/host-model
	mkdir -p "$hostdir"
	chmod 1777 "$hostdir"
	for ex in 1-serve-readonly 2-pipeline 3-library-writers 4-train-to-host nginx; do
		for v in root nonroot; do
			docker image inspect "unroot-example-$ex:$v" >/dev/null 2>&1 ||
				fail "unroot-example-$ex:$v is missing (tests/container/example.sh $ex builds it)"
			case $ex in
			1-serve-readonly) set -- -v "$SRC/examples/$ex/model:/models:ro" ;;
			4-train-to-host) set -- -v "$hostdir:/app/model" ;;
			*) set -- ;;
			esac
			profile "$ex-$v" "$@" "unroot-example-$ex:$v"
		done
	done
	"$UNROOT" report "$WORK/1-serve-readonly-root" |
		grep -q "not in the container's layer, so not cross-checked: /models)" ||
		fail "the report does not say the bind /models is not covered"
	profile tmpfs --tmpfs /scratch unroot-base:bookworm \
		sh -c 'echo x >/scratch/f && mkdir -p /var/lib/t && echo y >/var/lib/t/f'
	"$UNROOT" report "$WORK/tmpfs" | grep -q "not cross-checked: /scratch)" ||
		fail "the report does not say the tmpfs /scratch is not covered"
	# writes through Debian's symlinked /var/run and /var/lock: the layer
	# lists them under /run, where they land (a rename's new name too)
	profile symlinked-dirs unroot-base:bookworm sh -c 'mkdir -p /var/run/app &&
echo 1 >/var/run/app/t && mv /var/run/app/t /var/run/app/pid &&
ln -s pid /var/run/app/link && touch /var/lock/f && rm /var/lock/f'
	for tag in bullseye trixie musl; do
		case $tag in
		musl) set -- unroot-workload /app/out ;;
		*) set -- python3 -c 'import os
os.makedirs("/app/out", exist_ok=True)
with open("/app/out/tmp", "w") as f: f.write("x")
os.rename("/app/out/tmp", "/app/out/out.txt")
os.unlink("/etc/debian_version")' ;;
		esac
		profile "libc-$tag" "unroot-base:$tag" "$@"
		profile "libc-$tag-1001" --user 1001:1001 -w /tmp "unroot-base:$tag" \
			sh -c 'mkdir -p /tmp/a/b && echo x >/tmp/a/b/f && mv /tmp/a /tmp/c'
	done
	# the static Go entrypoint of static.sh, seen by the fallback tracer
	docker image inspect unroot-test-static-go >/dev/null 2>&1 ||
		fail "unroot-test-static-go is missing (tests/container/static.sh pid1 builds it)"
	profile static-go unroot-test-static-go
	profile static-go-1001 --user 1001:1001 unroot-test-static-go
	docker image inspect unroot-test-service-redis-root >/dev/null 2>&1 ||
		fail "unroot-test-service-redis-root is missing (tests/services/services.sh redis builds it)"
	profile redis unroot-test-service-redis-root
	grep -q "redis" "$WORK/redis.out" || fail "redis did not run"
	echo "PASS: no cross-check warning for ordinary workloads"
}

pod() {
	python3 -c 'import yaml' 2>/dev/null ||
		{ echo "SKIP: python3-yaml is not installed"; exit 77; }
	step "unroot docker with options, then plan --format pod"
	# shellcheck disable=SC2016 # $PLAIN is the container's
	XCHECK_SECRET=hunter1 XCHECK_SAME=hunter2 "$UNROOT" docker -o "$WORK/p" -- \
		run --rm -e PLAIN=given -e XCHECK_SECRET -e XCHECK_SAME=hunter2 \
		-w /srv --entrypoint /bin/sh -u 1001:1001 unroot-base:bookworm \
		-c 'pwd >/tmp/pwd && test "$PLAIN" = given' >"$WORK/p.out" 2>&1 ||
		{ cat "$WORK/p.out"; fail "the run failed"; }
	if grep -rl hunter "$WORK/p/trace.json"; then
		fail "a value from the host's environment is in trace.json"
	fi
	"$UNROOT" plan --format pod "$WORK/p" >"$WORK/pod.yaml" || fail "plan --format pod"
	cat "$WORK/pod.yaml"
	grep -q hunter "$WORK/pod.yaml" && fail "a host value is in the manifest"
	grep -q '# - name: "XCHECK_SECRET" # REVIEW' "$WORK/pod.yaml" ||
		fail "no placeholder for XCHECK_SECRET"
	python3 - "$WORK/pod.yaml" <<'PY' || fail "the Pod manifest's fields"
import sys, yaml
pod = yaml.safe_load(open(sys.argv[1]))
assert pod["kind"] == "Pod", pod
c = pod["spec"]["containers"][0]
assert c["image"] == "unroot-base:bookworm", c
assert c["command"] == ["/bin/sh"], c
assert c["args"] == ["-c", 'pwd >/tmp/pwd && test "$PLAIN" = given'], c
assert c["workingDir"] == "/srv", c
env = {e["name"]: e for e in c["env"]}
assert env["PLAIN"] == {"name": "PLAIN", "value": "given"}, env
assert "XCHECK_SECRET" not in env and "XCHECK_SAME" not in env, env
PY
	echo "PASS: the Pod manifest runs the traced command, env and workdir"
}

hostname() {
	step "unroot docker: the host name docker gave, then one given with -h"
	"$UNROOT" docker -o "$WORK/h" -- run --rm unroot-base:bookworm \
		cat /etc/hostname >"$WORK/h.out" 2>&1 ||
		{ cat "$WORK/h.out"; fail "the run failed"; }
	host=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1])).get("hostname", ""))' "$WORK/h/trace.json")
	[ ${#host} -eq 12 ] || fail "trace.json's hostname is '$host'"
	grep -qx "$host" "$WORK/h.out" ||
		{ cat "$WORK/h.out"; fail "the container's host name is not $host"; }
	"$UNROOT" docker -o "$WORK/h2" -- run --rm -h fixed.example \
		unroot-base:bookworm true >"$WORK/h2.out" 2>&1 ||
		{ cat "$WORK/h2.out"; fail "the run with -h failed"; }
	python3 - "$WORK/h2/trace.json" <<'PY' || fail "a chosen host name is recorded as docker's"
import json, sys
assert "hostname" not in json.load(open(sys.argv[1]))
PY
	echo "PASS: trace.json names the host docker gave ($host), and none chosen with -h"
}

$MODE
