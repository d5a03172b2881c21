#!/bin/sh
# k8s_seed.sh - a read-only root where the workload writes beside the
# image's own files: /app/data holds model.bin (shipped) and gets run.log at
# run time, and no deeper directory holds only run-time files.  The image
# (FROM unroot-base:bullseye) is profiled as root with `unroot docker
# --reads`, hardened with `unroot apply` and planned with --read-only; then:
#   1. `kubectl kustomize` applies the k8s patch to a sample Deployment; no
#      plain emptyDir hides a file of the image, and /app/data gets an init
#      container (same image, same securityContext) whose command copies
#      the directory into its emptyDir, mounted back with subPath;
#   2. kubelet-like: an empty 1777 host directory per emptyDir, the init
#      container's command run first (docker run, read-only root, as the
#      user), then the app with a read-only root, --user uid:gid,
#      --cap-drop ALL, no-new-privileges, traced: zero denials, model.bin
#      read and run.log written into the volume; without the init step the
#      same run fails (the test would notice a mount that hides the files);
#   3. Compose: the service keys (an anonymous volume at /app/data, which
#      Docker fills from the image) pass `docker-compose config` and run.
# Skips (77) without kubectl, docker-compose or python3-yaml.
# UNROOT_PAYLOAD_READY=1 uses the payload already in BUILD.
set -eu
. "$(dirname "$0")/common.sh"
for t in kubectl docker-compose python3; do
	command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t not installed"; exit 77; }
done
python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: python3-yaml not installed"; exit 77; }
[ -n "${UNROOT_PAYLOAD_READY:-}" ] || ensure_payload
img=unroot-test-k8s-seed
SECURE="--read-only --user 1001:1001 --cap-drop ALL --security-opt no-new-privileges"

mkdir -p "$WORK/ctx/data"
printf 'weights' >"$WORK/ctx/data/model.bin"
cat >"$WORK/ctx/serve.py" <<'PY'
import os
with open("/app/data/model.bin", "rb") as f:          # the image's file
    assert f.read() == b"weights", "model.bin hidden or changed"
with open("/app/data/run.log", "a") as f:              # beside it, at run time
    f.write("served\n")
if os.getuid() != 0:
    ro = "yes" if os.statvfs("/").f_flag & os.ST_RDONLY else "no"
    print("uid=%d gid=%d read-only-root=%s" % (os.getuid(), os.getgid(), ro))
print("probe ok")
PY
profile_app "$img"
for f in k8s compose; do
	"$UNROOT" plan --read-only --format "$f" "$WORK/root" >"$WORK/plan.$f" ||
		fail "unroot plan --format $f"
	cat "$WORK/plan.$f"
done
# the image's files, as the hardened image has them
docker run --rm --network none --user 0 --entrypoint /usr/bin/find "$img:nonroot" / -xdev \
	-type f >"$WORK/image-files" || fail "cannot list the image's files"

step "kubectl kustomize"
mkdir "$WORK/kust"
cp "$WORK/plan.k8s" "$WORK/kust/unroot-k8s.yaml"
cat >"$WORK/kust/deploy.yaml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: $img:nonroot
EOF
cat >"$WORK/kust/kustomization.yaml" <<'EOF'
resources: [deploy.yaml]
patchesStrategicMerge: [unroot-k8s.yaml]
EOF
kubectl kustomize "$WORK/kust" >"$WORK/deploy.out" 2>"$WORK/kust.err" ||
	{ cat "$WORK/kust.err"; fail "kubectl kustomize refused the patch"; }
cat "$WORK/deploy.out"

# one line per app mount: its path, and "seed" when an init container
# fills it (with the command checked here)
python3 - "$WORK" <<'PY' >"$WORK/mounts" || fail "the patched Deployment is wrong"
import json, sys, yaml
W = sys.argv[1]
pod = yaml.safe_load(open(W + "/deploy.out"))["spec"]["template"]["spec"]
(c,) = pod["containers"]
csc = c["securityContext"]
assert csc["readOnlyRootFilesystem"] is True, csc
vols = {v["name"]: v for v in pod["volumes"]}
inits = {i["volumeMounts"][0]["name"]: i for i in pod.get("initContainers", [])}
files = [l.rstrip("\n") for l in open(W + "/image-files")]
seeded = []
for m in c["volumeMounts"]:
    assert vols[m["name"]] == {"name": m["name"], "emptyDir": {}}, m
    p = m["mountPath"]
    hidden = [f for f in files if f.startswith(p.rstrip("/") + "/")]
    i = inits.pop(m["name"], None)
    if not hidden:
        assert i is None and "subPath" not in m, (m, i)
        print(p + "\t")
        continue
    assert i is not None, "the emptyDir at %s hides %s" % (p, hidden)
    assert m.get("subPath") == "image", m
    assert i["command"] == ["cp", "-a", p + "/.", "/seed/image"], i
    assert i["volumeMounts"] == [{"name": m["name"], "mountPath": "/seed"}], i
    assert i["securityContext"] == csc, i
    seeded.append(p)
    print(p + "\tseed")
assert not inits, "init containers for no mount: %s" % inits
assert seeded == ["/app/data"], seeded
PY
cat "$WORK/mounts"

step "kubelet-like run: init step, then the app, traced"
# An emptyDir is an empty world-writable directory that copies nothing:
# here an empty 1777 host directory.  The init container mounts it at
# /seed; the app mounts its subPath.
set -- # the app's mounts; $empty: the same without the init step
empty=""
i=0
while IFS="$(printf '\t')" read -r m seed; do
	d=$WORK/emptydir-$i
	mkdir -m 1777 "$d"
	chmod 1777 "$d"
	if [ "$seed" = seed ]; then
		# the init container's command, as checked above
		# shellcheck disable=SC2086
		docker run --rm --network none $SECURE -v "$d:/seed" \
			--entrypoint cp "$img:nonroot" -a "$m/." /seed/image ||
			fail "the init container's command failed"
		set -- "$@" -v "$d/image:$m"
		mkdir -m 1777 "$WORK/unseeded-$i"
		empty="$empty -v $WORK/unseeded-$i:$m"
	else
		set -- "$@" -v "$d:$m"
		empty="$empty -v $d:$m"
	fi
	i=$((i + 1))
done <"$WORK/mounts"
# shellcheck disable=SC2086
"$UNROOT" docker -o "$WORK/kube" -- run --rm --network none $SECURE "$@" "$img:nonroot" \
	>"$WORK/kube.out" || { cat "$WORK/kube.out"; fail "the kubelet-like run failed"; }
cat "$WORK/kube.out"
grep -q "uid=1001 gid=1001 read-only-root=yes" "$WORK/kube.out" ||
	fail "the kubelet-like run did not run read-only as 1001:1001"
grep -q "probe ok" "$WORK/kube.out" || fail "no probe in the kubelet-like run"
n=$(count_denials "$WORK/kube")
[ "$n" -eq 0 ] || { "$UNROOT" report "$WORK/kube" >&2; fail "$n denials in the kubelet-like run"; }
seed=$(awk -F '\t' '$2 == "seed" { print NR - 1 }' "$WORK/mounts")
[ -f "$WORK/emptydir-$seed/image/model.bin" ] && [ -f "$WORK/emptydir-$seed/image/run.log" ] ||
	fail "the seeded volume lacks model.bin or run.log"
# shellcheck disable=SC2086
if docker run --rm --network none $SECURE $empty "$img:nonroot" >/dev/null 2>&1; then
	fail "the app ran without the init step: the test proves nothing"
fi

step "docker-compose"
mkdir "$WORK/compose"
python3 - "$WORK" "$img:nonroot" <<'PY' || fail "cannot write the compose file"
import sys, yaml
W, image = sys.argv[1], sys.argv[2]
keys = yaml.safe_load(open(W + "/plan.compose"))
assert "/app/data" in keys["volumes"], keys
assert not [t for t in keys.get("tmpfs", []) if t.startswith("/app/data:")], keys
svc = {"image": image, "network_mode": "none"}
svc.update(keys)
yaml.safe_dump({"version": "2.4", "services": {"app": svc}},
               open(W + "/compose/docker-compose.yml", "w"))
PY
(cd "$WORK/compose" && docker-compose -p unroot-test-k8s-seed config >/dev/null) ||
	fail "docker-compose config refused the keys"
rc=0
(cd "$WORK/compose" && docker-compose -p unroot-test-k8s-seed up \
	--abort-on-container-exit --exit-code-from app) >"$WORK/compose.out" 2>&1 || rc=$?
(cd "$WORK/compose" && docker-compose -p unroot-test-k8s-seed down -v) >/dev/null 2>&1 || true
cat "$WORK/compose.out"
[ "$rc" = 0 ] || fail "docker-compose up failed ($rc)"
grep -q "uid=1001 gid=1001 read-only-root=yes" "$WORK/compose.out" ||
	fail "the Compose service did not run read-only as 1001:1001"
grep -q "probe ok" "$WORK/compose.out" || fail "no probe under Compose"
echo "PASS k8s_seed"
