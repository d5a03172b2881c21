#!/bin/sh
# k8s_compose.sh - the k8s, pod and compose formats run by real consumers.
# A small server image (FROM unroot-base:bullseye) is profiled as root with
# `unroot docker --reads`, hardened with `unroot apply`, and planned with
# --read-only; then:
#   1. kubelet-like: the pod's emptyDir mount paths (and nothing else) as
#      empty 1777 directories, a read-only root, --user uid:gid,
#      --cap-drop ALL, no-new-privileges, traced: zero denials, probe ok;
#   2. Compose: the service keys under services.app with network_mode none,
#      `docker-compose config` validates them and `docker-compose up` runs
#      the service read-only as the user, probe ok;
#   3. Podman: `podman kube play --network none` runs the generated Pod
#      (image moved with docker save | podman load), probe ok, as the user
#      with a read-only root; `podman kube down` cleans up.
# The server checks inside the container that it runs as 1001 on a
# read-only root and that none of its own writes is refused.  It listens
# on every address (a containerPort) and on a loopback-only admin port
# (not one: nothing outside the pod reaches it).
# Skips (77) without docker-compose or podman.  UNROOT_PAYLOAD_READY=1 uses
# the payload already in BUILD instead of rebuilding it.
set -eu
. "$(dirname "$0")/common.sh"
for t in docker-compose podman python3; do
	command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t not installed"; exit 77; }
done
python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: python3-yaml not installed"; exit 77; }
[ -n "${UNROOT_PAYLOAD_READY:-}" ] || ensure_payload
img=unroot-test-deploy-app
LOCK=/tmp/unroot-docker.lock

mkdir -p "$WORK/ctx/data"
printf 'weights' >"$WORK/ctx/data/model.bin"
cat >"$WORK/ctx/serve.py" <<'PY'
import os, socket, tempfile
with open("/app/data/model.bin", "rb") as f:          # the image's file
    assert f.read() == b"weights", "model.bin hidden or changed"
os.makedirs("/var/cache/app", exist_ok=True)           # run-time files
with open("/var/cache/app/index", "w") as f:
    f.write("cached")
with tempfile.NamedTemporaryFile(dir="/tmp") as t:
    t.write(b"scratch")
s = socket.socket()
s.bind(("0.0.0.0", 8080))                              # the service's port
s.listen(1)
admin = socket.socket()
admin.bind(("127.0.0.1", 9090))                        # loopback only
admin.listen(1)
c = socket.create_connection(("127.0.0.1", 8080))     # the probe
a, _ = s.accept()
c.sendall(b"ping")
assert a.recv(4) == b"ping"
if os.getuid() != 0:
    ro = "yes" if os.statvfs("/").f_flag & os.ST_RDONLY else "no"
    print("uid=%d gid=%d read-only-root=%s" % (os.getuid(), os.getgid(), ro))
print("probe ok")
PY
profile_app "$img"
for f in pod compose; do
	"$UNROOT" plan --read-only --format "$f" "$WORK/root" >"$WORK/plan.$f" ||
		fail "unroot plan --format $f"
	cat "$WORK/plan.$f"
done

# the pod names the traced image and meets the restricted profile; its
# mounts, one a line
# the bind is in the trace when the payload records inet binds
bound=0
"$LOGCAT" "$WORK"/root/log | grep -q '"t":"net".*"port":8080' && bound=1
python3 - "$WORK" "$img:root" "$bound" <<'PY' >"$WORK/mounts" || fail "the Pod is wrong"
import sys, yaml
W, image, bound = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
p = yaml.safe_load(open(W + "/plan.pod"))
assert p["apiVersion"] == "v1" and p["kind"] == "Pod", p
spec = p["spec"]
sc = spec["securityContext"]
assert sc["runAsNonRoot"] is True and sc["runAsUser"] == 1001, sc
assert sc["seccompProfile"] == {"type": "RuntimeDefault"}, sc
(c,) = spec["containers"]
assert c["image"] == image, c
assert c["securityContext"] == {"allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": True}, c
# the service's port is a containerPort; the loopback-only one is not
assert c.get("ports") == ([{"containerPort": 8080}] if bound else None), c
assert not bound or "port 9090 is bound to loopback only" in \
    open(W + "/plan.pod").read()
vols = {v["name"]: v for v in spec["volumes"]}
paths = []
for m in c["volumeMounts"]:
    assert vols[m["name"]] == {"name": m["name"], "emptyDir": {}}, m
    assert not "/app/data".startswith(m["mountPath"].rstrip("/") + "/") \
        and m["mountPath"] != "/app/data", "hides the image's /app/data"
    paths.append(m["mountPath"])
assert "/tmp" in paths and any(x.startswith("/var/cache") for x in paths), paths
print("\n".join(paths))
PY

step "kubelet-like run, traced"
# An emptyDir is an empty world-writable directory that copies nothing:
# here an empty 1777 host directory bound at each mount path.  (Docker
# 20.10's --tmpfs over a directory of the image takes that directory's
# mode, whatever mode= says, so it is not the kubelet's emptyDir.)
set --
i=0
while IFS= read -r m; do
	mkdir -m 1777 "$WORK/emptydir-$i"
	chmod 1777 "$WORK/emptydir-$i"
	set -- "$@" -v "$WORK/emptydir-$i:$m"
	i=$((i + 1))
done <"$WORK/mounts"
"$UNROOT" docker -o "$WORK/kube" -- run --rm --read-only --user 1001:1001 \
	--cap-drop ALL --security-opt no-new-privileges "$@" "$img:nonroot" \
	>"$WORK/kube.out" || { cat "$WORK/kube.out"; fail "the kubelet-like run failed"; }
grep -q "probe ok" "$WORK/kube.out" || fail "no probe in the kubelet-like run"
n=$(count_denials "$WORK/kube")
[ "$n" -eq 0 ] || { "$UNROOT" report "$WORK/kube" >&2; fail "$n denials in the kubelet-like run"; }

step "docker-compose"
mkdir "$WORK/compose"
python3 - "$WORK" "$img:nonroot" <<'PY' || fail "cannot write the compose file"
import sys, yaml
W, image = sys.argv[1], sys.argv[2]
keys = yaml.safe_load(open(W + "/plan.compose"))
svc = {"image": image, "network_mode": "none"}
svc.update(keys)
yaml.safe_dump({"version": "2.4", "services": {"app": svc}},
               open(W + "/compose/docker-compose.yml", "w"))
PY
(cd "$WORK/compose" && docker-compose -p unroot-test-deploy config >/dev/null) ||
	fail "docker-compose config refused the keys"
rc=0
(cd "$WORK/compose" && docker-compose -p unroot-test-deploy up \
	--abort-on-container-exit --exit-code-from app) >"$WORK/compose.out" 2>&1 || rc=$?
(cd "$WORK/compose" && docker-compose -p unroot-test-deploy down -v) >/dev/null 2>&1 || true
cat "$WORK/compose.out"
[ "$rc" = 0 ] || fail "docker-compose up failed ($rc)"
grep -q "uid=1001 gid=1001 read-only-root=yes" "$WORK/compose.out" ||
	fail "the Compose service did not run read-only as 1001:1001"
grep -q "probe ok" "$WORK/compose.out" || fail "no probe under Compose"

step "podman kube play"
cat >"$WORK/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
EOF
CONTAINERS_CONF=$WORK/containers.conf
export CONTAINERS_CONF
docker save "$img:nonroot" | podman load -q >/dev/null || fail "podman load"
python3 - "$WORK" "localhost/$img:nonroot" <<'PY' || fail "cannot write the pod"
import sys, yaml
W, image = sys.argv[1], sys.argv[2]
p = yaml.safe_load(open(W + "/plan.pod"))
p["spec"]["containers"][0]["image"] = image   # the hardened image
p["spec"]["restartPolicy"] = "Never"
# podman publishes a containerPort on the host, which --network none
# forbids; in Kubernetes the field only documents the port (checked above)
p["spec"]["containers"][0].pop("ports", None)
yaml.safe_dump(p, open(W + "/pod.yaml", "w"))
PY
name=$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["metadata"]["name"])' "$WORK/pod.yaml")
ctr=$name-$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["spec"]["containers"][0]["name"])' "$WORK/pod.yaml")
podman kube play --network none "$WORK/pod.yaml" >/dev/null || fail "podman kube play"
podman wait "$ctr" >"$WORK/podman.rc" 2>/dev/null || true
podman logs "$ctr" >"$WORK/podman.out" 2>&1 || true
podman kube down "$WORK/pod.yaml" >/dev/null 2>&1 || fail "podman kube down"
podman rmi "localhost/$img:nonroot" >/dev/null 2>&1 || true
cat "$WORK/podman.out"
[ "$(cat "$WORK/podman.rc")" = 0 ] || fail "the pod's container exited $(cat "$WORK/podman.rc")"
grep -q "uid=1001 gid=1001 read-only-root=yes" "$WORK/podman.out" ||
	fail "the Pod did not run read-only as 1001:1001"
grep -q "probe ok" "$WORK/podman.out" || fail "no probe in the Pod"
echo "PASS k8s_compose"
