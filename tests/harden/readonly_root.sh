#!/bin/sh
# readonly_root.sh CASE - `unroot harden --read-only` against a real Docker
# engine (every container runs with --network none).  Each case hardens a
# copy of its Dockerfile and context in a scratch directory:
#   example NAME  examples/NAME (1-serve-readonly and 4-train-to-host with
#                 the -v binds their READMEs give, 2-pipeline,
#                 3-library-writers, or the real nginx server of
#                 examples/nginx) ends verified and writes
#                 OUT.k8s.yaml, OUT.pod.yaml and OUT.compose.yaml; then
#                 this script turns the Pod into the run a kubelet gives
#                 it on its own (pod_run.py: a read-only root, an empty
#                 1777 directory per emptyDir and nothing else writable,
#                 runAsUser:runAsGroup, fsGroup and supplementalGroups,
#                 all capabilities dropped, no-new-privileges, the pod's
#                 sysctls, a bind per hostPath) and runs it traced: zero
#                 denials, the workload's own success line; a host bind is
#                 a hostPath volume of the Pod flagged for review
#   missing       a workload that writes a new file beside one the image
#                 ships and reads (tests/harden/readonly_missing): without
#                 --read-only harden verifies it; with --read-only the
#                 plan seeds /app/data, harden runs the init step before
#                 the kubelet-like run and verifies, and the same run on
#                 an empty emptyDir fails; a file of the user's in the
#                 place of OUT.pod.yaml stops harden before it builds,
#                 unchanged
#   ownuser       an image that already runs as a user of its own
#                 (tests/harden/readonly_ownuser), writing into the
#                 directories its Dockerfile gave that user: no grant is
#                 needed, yet the read-only root refuses those writes; the
#                 first plan must mount them (the data directory seeded),
#                 so harden verifies in one round, and the Pod runs
set -eu
case=$1
. "$SRC/tests/container/common.sh"
python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: python3-yaml not installed"; exit 77; }
docker image inspect unroot-base:bookworm >/dev/null 2>&1 || ensure_images bookworm
[ -f "$PAYLOAD/lib/x86_64-linux-gnu/libunroot.so" ] || ensure_payload

ctx=$WORK/ctx
out=$WORK/harden.out
case $case in
example)
	src=$SRC/examples/$2
	tag=unroot-test-roharden-$2:latest
	[ "$2" != nginx ] || docker image inspect unroot-base:bookworm-nginx >/dev/null 2>&1 ||
		ensure_images bookworm-nginx
	[ "$2" != 3-library-writers ] ||
		docker image inspect unroot-base:bookworm-supervisor >/dev/null 2>&1 ||
		ensure_images bookworm-supervisor
	;;
missing)
	src=$SRC/tests/harden/readonly_missing
	tag=unroot-test-roharden-missing:latest
	;;
ownuser)
	src=$SRC/tests/harden/readonly_ownuser
	tag=unroot-test-roharden-ownuser:latest
	;;
*) fail "unknown case $case" ;;
esac
cp -r "$src" "$ctx"
nonroot=$ctx/Dockerfile.nonroot

. "$SRC/tests/harden/lib.sh"

# verified_files: harden verified and wrote the three files, each named
verified_files() {
	[ "$rc" -eq 0 ] || fail "harden --read-only did not verify (exit $rc)"
	grep -q '^== unroot harden: verified' "$out" || fail "no 'verified' summary"
	last_round
	n=$(count_denials "$last")
	[ "$n" -eq 0 ] || fail "$n denials in harden's last run ($last)"
	grep -q -- "--read-only" "$last.log" || fail "harden's last run was not read-only"
	for f in k8s pod compose; do
		[ -s "$nonroot.$f.yaml" ] || fail "no $nonroot.$f.yaml"
		grep -q ": $nonroot.$f.yaml\$" "$out" || fail "harden does not name $nonroot.$f.yaml"
		head -1 "$nonroot.$f.yaml" | grep -q '^# unroot plan: ' ||
			fail "$nonroot.$f.yaml is not a plan"
	done
	python3 - "$nonroot" <<'PY' || fail "the files are not the read-only plan"
import sys, yaml
out = sys.argv[1]
k = yaml.safe_load(open(out + ".k8s.yaml"))
c = k["spec"]["template"]["spec"]["containers"][0]
assert c["securityContext"]["readOnlyRootFilesystem"] is True, c
comp = yaml.safe_load(open(out + ".compose.yaml"))
assert comp["read_only"] is True and comp["cap_drop"] == ["ALL"], comp
PY
}

# host_path DIR MOUNT READONLY: the Pod binds the host's DIR at MOUNT
# as a hostPath volume (readOnly as READONLY: true or false), flagged for
# review in a comment, and the k8s patch has no emptyDir there
host_path() {
	python3 - "$nonroot" "$1" "$2" "$3" <<'PY' && return
import sys, yaml
out, host, mnt, ro = sys.argv[1:5]
pod = yaml.safe_load(open(out + ".pod.yaml"))["spec"]
vols = {v["name"]: v for v in pod["volumes"]}
(m,) = [m for m in pod["containers"][0]["volumeMounts"] if m["mountPath"] == mnt]
assert vols[m["name"]]["hostPath"]["path"] == host, vols[m["name"]]
assert bool(m.get("readOnly")) == (ro == "true"), m
assert "REVIEW: a host directory" in open(out + ".pod.yaml").read(), "no review flag"
k = yaml.safe_load(open(out + ".k8s.yaml"))["spec"]["template"]["spec"]
ks = k["containers"][0].get("volumeMounts", [])
assert all(x["mountPath"] != mnt for x in ks), ks
PY
	cat "$nonroot.pod.yaml"
	fail "the Pod does not bind $1 at $2 as a hostPath flagged for review"
}

# kubelet_run WHAT: the Pod run as a kubelet would, traced into $WORK/kube
kubelet_run() {
	what=$1 expect=$2
	python3 "$SRC/tests/harden/readonly_pod_run.py" "$nonroot.pod.yaml" \
		"$tag" "$WORK/emptydir" >"$WORK/podargs" || fail "cannot read the Pod"
	step "kubelet-like run: $(tr '\n' ' ' <"$WORK/podargs")"
	set --
	while IFS= read -r a; do set -- "$@" "$a"; done <"$WORK/podargs"
	rc=0
	"$UNROOT" docker -o "$WORK/kube" -- run --rm "$@" >"$WORK/kube.out" 2>&1 || rc=$?
	cat "$WORK/kube.out"
	[ "$rc" -eq 0 ] || fail "the kubelet-like run of $what exited $rc"
	n=$(count_denials "$WORK/kube")
	[ "$n" -eq 0 ] || { "$UNROOT" report "$WORK/kube" >&2; fail "$n denials in the kubelet-like run"; }
	grep -q -- "$expect" "$WORK/kube.out" || fail "no '$expect' from $what in the kubelet-like run"
}

case $case in
example)
	case $2 in
	nginx)
		harden --read-only --stop-after 60
		verified_files
		kubelet_run nginx "run.sh: ok"
		;;
	2-pipeline)
		harden --read-only
		verified_files
		kubelet_run "$2" "pipeline: wrote"
		;;
	3-library-writers)
		harden --read-only
		verified_files
		kubelet_run "$2" "run.sh: ok"
		;;
	1-serve-readonly)
		# the model bind-mounted read-only, as its README runs it: the
		# Pod has it as a hostPath volume flagged for review
		harden --read-only -- -v "$ctx/model:/models:ro"
		verified_files
		host_path "$ctx/model" /models true
		kubelet_run "$2" "serve: done, model /models"
		;;
	4-train-to-host)
		# the model saved to a host directory the user owns (the host
		# fix harden names for a root-owned one, done by the test)
		host=$WORK/model-out
		mkdir -p "$host"
		chown 1001:1001 "$host" 2>/dev/null ||
			{ echo "SKIP: cannot chown $host to 1001 (not root)"; exit 77; }
		harden --read-only -- -v "$host:/app/model"
		verified_files
		host_path "$host" /app/model false
		rm -f "$host/model.txt"
		kubelet_run "$2" "train: saved /app/model/model.txt"
		[ "$(stat -c %u "$host/model.txt" 2>/dev/null)" = 1001 ] ||
			fail "the Pod's run did not save $host/model.txt as the user"
		;;
	*) fail "no read-only case for $2" ;;
	esac
	;;
missing)
	# (a) a file of the user's where a deploy file goes stops harden
	echo "mine" >"$nonroot.pod.yaml"
	harden --read-only
	[ "$rc" -eq 2 ] || fail "harden should refuse the user's $nonroot.pod.yaml (exit 2, not $rc)"
	grep -q "$nonroot.pod.yaml exists and was not written by unroot" "$out" ||
		fail "the refusal does not name the file"
	[ "$(cat "$nonroot.pod.yaml")" = mine ] || fail "the user's file changed"
	[ ! -e "$WORK/w/round0" ] || fail "harden ran before refusing"
	rm "$nonroot.pod.yaml"
	# (b) with a writable root the workload hardens
	W=$WORK/w-rw
	harden -o "$ctx/Dockerfile.rw"
	[ "$rc" -eq 0 ] || fail "harden without --read-only should verify (exit $rc)"
	# (c) read-only: an empty volume on /app/data would hide seed.txt, so
	# the plan seeds it: harden's kubelet-like run copies the image's
	# /app/data into the emptyDir first (the k8s init container) and
	# verifies; the same run with an empty emptyDir fails
	W=$WORK/w
	harden --read-only
	[ "$rc" -eq 0 ] || fail "harden --read-only did not verify the seeded mount (exit $rc)"
	grep -q "init step: /app/data of the image copied" "$out" ||
		fail "harden ran no init step for /app/data"
	verified_files
	python3 - "$nonroot.k8s.yaml" <<'PY' || fail "the k8s patch has no init container for /app/data"
import sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))["spec"]["template"]["spec"]
(i,) = spec["initContainers"]
assert "/app/data/." in i["command"], i
PY
	mkdir -m 1777 "$WORK/empty"
	if docker run --rm --network none --read-only --user 1001:1001 \
		--cap-drop ALL --security-opt no-new-privileges \
		--mount "type=bind,source=$WORK/empty,destination=/app/data" "$tag" \
		>"$WORK/empty.out" 2>&1; then
		fail "the run without the init step worked: the seed proves nothing"
	fi
	grep -q "seed.txt" "$WORK/empty.out" || fail "the run without the init step failed otherwise"
	;;
ownuser)
	harden --read-only
	verified_files
	grep -q "^rounds: 1 run as the user after the root run" "$out" ||
		fail "harden needed more than one round: the first plan missed a mount"
	python3 - "$nonroot.pod.yaml" <<'PY' || { cat "$nonroot.pod.yaml"; fail "the Pod does not mount app's directories"; }
import sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))["spec"]
mounts = {m["mountPath"]: m for m in spec["containers"][0]["volumeMounts"]}
assert set(mounts) == {"/srv/data", "/var/cache/app"}, sorted(mounts)
assert mounts["/srv/data"].get("subPath") == "image", mounts["/srv/data"]
(i,) = spec["initContainers"]
assert "/srv/data/." in i["command"], i
PY
	kubelet_run "the image's own user" "app: ok"
	;;
esac
echo "PASS: harden --read-only $case ${2:-}"
