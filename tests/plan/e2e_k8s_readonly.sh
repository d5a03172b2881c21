#!/bin/sh
# e2e_k8s_readonly.sh - `plan --read-only --format k8s` for a workload that
# writes a new cache directory, /tmp, and a file beside the image's own
# files in /app/data (no deeper directory holds only run-time files there,
# and no catalogue option moves the write).  The patch is applied to a
# sample Deployment with `kubectl kustomize` (no cluster), and the result
# is checked as a kubelet would run it: no plain emptyDir mount point hides
# a file of the image (an emptyDir starts empty); /app/data gets an init
# container (the same image and securityContext) that copies the image's
# directory into its emptyDir, mounted back with subPath.  The workload,
# run as uid 1001 on a read-only root with an empty 1777 tmpfs per planned
# mount (and nothing else), the init step run first the same way, reads
# the image's model.bin and writes its cache, /tmp and /app/data/run.log
# with zero denials.  Profiled without --reads first, the plan must say
# on that mount and in a warning that nothing shows what /app/data holds.
set -eu
. "$(dirname "$0")/lib_e2e.sh"
command -v kubectl >/dev/null 2>&1 || skip "kubectl not installed"
"$PY" -c 'import yaml' 2>/dev/null || skip "python3-yaml not installed"

# The image tree must not be below /tmp (a mount there would cover it):
# a tmpfs on /srv, in this test's private mount namespace (lib_e2e.sh).
mount -t tmpfs -o mode=755 tmpfs /srv || fail "cannot mount a tmpfs on /srv"
IMG=/srv/img
fixdir "$IMG" "$IMG/app" "$IMG/app/data"
mkdir -m 700 "$IMG/root" # root's HOME during the profiling run
printf 'weights' >"$IMG/app/data/model.bin"
cat >"$IMG/app/work.py" <<PY
import os, tempfile
with open("$IMG/app/data/model.bin", "rb") as f:
    assert f.read() == b"weights"
os.makedirs("$IMG/app/cache/models", exist_ok=True)
with open("$IMG/app/cache/models/index", "w") as f:
    f.write("cached")
with tempfile.NamedTemporaryFile(dir="/tmp") as t:
    t.write(b"scratch")
if os.environ.get("SIDE") == "1":
    with open("$IMG/app/data/run.log", "w") as f:
        f.write("beside the image's files")
print("worked")
PY
chmod 644 "$IMG/app/data/model.bin" "$IMG/app/work.py"
# the image's files, before anything ran
(cd "$IMG" && find . -type f | sed 's|^\.||') >"$S/image-files"

# without --reads nothing shows that /app/data holds the image's files:
# the plan must say so, on the mount and in a warning, and must not say
# it of the cache directory the workload made
note "profile as root (no --reads)"
env -i PATH="$E2E_PATH" HOME="$IMG/root" LANG=C.UTF-8 SIDE=1 \
	"$UNROOT" run -o "$S/trace-noreads" -- "$PY" "$IMG/app/work.py" ||
	fail "the workload failed as root"
"$UNROOT" plan --read-only --format k8s "$S/trace-noreads" \
	>"$S/plan-noreads.k8s" || fail "unroot plan --format k8s failed"
cat "$S/plan-noreads.k8s"
grep -q "^# warning: read-only root: the trace records no reads.*$IMG/app/data hold" \
	"$S/plan-noreads.k8s" || fail "no warning that the trace has no reads"
grep -A1 "open.*$IMG/app/data/run.log" "$S/plan-noreads.k8s" |
	grep -q "REVIEW: the trace records no reads" ||
	fail "the mount on $IMG/app/data does not say the trace has no reads"
grep "records no reads" "$S/plan-noreads.k8s" | grep -q "$IMG/app/cache" &&
	fail "the cache directory the workload made is said to be unknown"
# the image as built, again
rm -rf "$IMG/app/data/run.log" "$IMG/app/cache"

# with --reads: the read of model.bin is what tells the planner that
# /app/data holds the image's files
note "profile as root (--reads)"
env -i PATH="$E2E_PATH" HOME="$IMG/root" LANG=C.UTF-8 SIDE=1 \
	"$UNROOT" run --reads -o "$S/trace-root" -- "$PY" "$IMG/app/work.py" ||
	fail "the workload failed as root"
"$UNROOT" plan --read-only --format k8s "$S/trace-root" >"$S/plan.k8s" ||
	fail "unroot plan --format k8s failed"
"$UNROOT" plan --read-only --format json "$S/trace-root" >"$S/plan.json" ||
	fail "unroot plan --format json failed"
cat "$S/plan.k8s"
# the image as built: what the root run wrote beside its files goes
rm "$IMG/app/data/run.log"

mkdir "$S/kust"
# named for its target, as the patch's comment says: the form every
# kustomize reads (Debian's kubectl embeds kustomize 2, which has only
# patchesStrategicMerge; newer ones also take patches with a target)
sed 's/^  name: app$/  name: web/' "$S/plan.k8s" >"$S/kust/unroot-k8s.yaml"
grep -q '^  name: web$' "$S/kust/unroot-k8s.yaml" ||
	fail "the patch has no metadata.name to set"
cat >"$S/kust/deploy.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: example/web:1
          volumeMounts:
            - {name: config, mountPath: /etc/web}
      volumes:
        - name: config
          configMap: {name: web}
EOF
cat >"$S/kust/kustomization.yaml" <<'EOF'
resources: [deploy.yaml]
patchesStrategicMerge: [unroot-k8s.yaml]
EOF
kubectl kustomize "$S/kust" >"$S/deploy.out" || fail "kubectl kustomize failed"
note "kustomized:"
cat "$S/deploy.out"

# the mounts the kubelet would make, checked; one a line: the mount path,
# and "seed" when an init container fills it
"$PY" - "$S" "$IMG" <<'PY' >"$S/mounts" || fail "the patched Deployment is wrong"
import json, sys, yaml
S, IMG = sys.argv[1], sys.argv[2]
d = yaml.safe_load(open(S + "/deploy.out"))
pod = d["spec"]["template"]["spec"]
sc = pod["securityContext"]
assert sc["runAsNonRoot"] is True and sc["runAsUser"] == 1001, sc
assert sc["seccompProfile"] == {"type": "RuntimeDefault"}, sc
(c,) = pod["containers"]
assert c["image"] == "example/web:1", c          # the patch kept the rest
csc = c["securityContext"]
assert csc["readOnlyRootFilesystem"] is True, csc
assert csc["allowPrivilegeEscalation"] is False, csc
assert csc["capabilities"] == {"drop": ["ALL"]}, csc
vols = {v["name"]: v for v in pod["volumes"]}
assert vols["config"] == {"name": "config", "configMap": {"name": "web"}}
mounts = [m for m in c["volumeMounts"] if m["name"] != "config"]
assert {m["mountPath"] for m in c["volumeMounts"] if m["name"] == "config"} == {"/etc/web"}
inits = {i["volumeMounts"][0]["name"]: i for i in pod.get("initContainers", [])}
image_files = [IMG + l.rstrip("\n") for l in open(S + "/image-files")]
out = []
for m in mounts:
    assert vols[m["name"]] == {"name": m["name"], "emptyDir": {}}, m
    p = m["mountPath"]
    hidden = [f for f in image_files if f.startswith(p.rstrip("/") + "/")]
    i = inits.pop(m["name"], None)
    if not hidden:
        assert i is None and "subPath" not in m, (m, i)
        out.append(p)
        continue
    # an emptyDir over the image's files: only with the init step that
    # copies them, run as the app is
    assert i is not None, "the emptyDir at %s hides %s" % (p, hidden)
    assert m.get("subPath") == "image", m
    assert i["command"] == ["cp", "-a", p + "/.", "/seed/image"], i
    assert i["volumeMounts"] == [{"name": m["name"], "mountPath": "/seed"}], i
    assert i["securityContext"] == csc, i
    out.append(p + "\tseed")
assert not inits, "init containers for no mount: %s" % inits
paths = [o.split("\t")[0] for o in out]
assert IMG + "/app/cache" in paths or IMG + "/app/cache/models" in paths, paths
assert "/tmp" in paths, paths
assert IMG + "/app/data\tseed" in out, out
assert not any(p in (IMG + "/app", IMG) for p in paths), paths
notes = " ".join(json.load(open(S + "/plan.json"))["notes"])
assert IMG + "/app/data" in notes and "init step" in notes, notes
print("\n".join(out))
PY
cat "$S/mounts"

# the kubelet's way, on this host: a read-only root (the image tree), an
# empty tmpfs of mode 1777 for each planned mount and nothing else; a
# seeded one is filled first by the init container's command, run as the
# user on the read-only root, and its subPath is what the app sees
mkdir -p "$IMG/app/cache" && chmod 755 "$IMG/app/cache" # mount points
mkdir /srv/emptydir
i=0
while IFS="$(printf '\t')" read -r m seed; do
	mkdir -m 1777 "/srv/emptydir/$i"
	mount -t tmpfs -o mode=1777 tmpfs "/srv/emptydir/$i" ||
		fail "cannot mount the emptyDir of $m"
	if [ "$seed" = seed ]; then
		unshare -m --propagation private sh -c '
			mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" ||
				exit 99
			shift
			exec "$@"' sh "$IMG" \
			setpriv --reuid="$E2E_UID" --regid="$E2E_UID" --clear-groups \
			--no-new-privs cp -a "$m/." "/srv/emptydir/$i/image" ||
			fail "the init step for $m failed as the user"
		printf '%s\t%s\n' "/srv/emptydir/$i/image" "$m"
	else
		printf '%s\t%s\n' "/srv/emptydir/$i" "$m"
	fi
	i=$((i + 1))
done <"$S/mounts" >"$S/binds"
kubelet_run() {
	unshare -m --propagation private sh -c '
		S=$1 IMG=$2; shift 2
		mount --bind "$IMG" "$IMG" && mount -o remount,bind,ro "$IMG" "$IMG" ||
			exit 99
		while IFS="$(printf "\t")" read -r src m; do
			[ -d "$m" ] || exit 98  # the kubelet creates it; the image here is ro
			mount --bind "$src" "$m" || exit 99
		done <"$S/binds"
		exec "$@"' sh "$S" "$IMG" "$@"
}
# unroot and the user's trace outside the image and /tmp (a mount there)
URUN=$(stage_unroot "$UNROOT" /srv/stage "$UNROOT_DATADIR")
mkdir -p /srv/trace-user && chown "$E2E_UID:$E2E_UID" /srv/trace-user
kubelet_run env -i PATH="$E2E_PATH" HOME=/home/nonroot LANG=C.UTF-8 SIDE=1 \
	setpriv --reuid="$E2E_UID" --regid="$E2E_UID" --clear-groups \
	--no-new-privs "$URUN" run -o /srv/trace-user -- \
	"$PY" "$IMG/app/work.py" || fail "the workload failed as the kubelet runs it"
assert_no_denials /srv/trace-user
# the write beside the image's files went into the volume, not the image
seeded=$(awk -F '\t' -v m="$IMG/app/data" '$2 == m { print $1 }' "$S/binds")
[ -f "$seeded/run.log" ] && [ -f "$seeded/model.bin" ] ||
	fail "run.log and model.bin are not in the seeded volume ($seeded)"
[ ! -e "$IMG/app/data/run.log" ] || fail "run.log was written into the image"
echo "PASS $E2E_NAME"
