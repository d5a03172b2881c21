"""readonly_pod_run.py POD IMAGE EMPTYDIRS - the docker run arguments (one
a line) that run a Pod manifest as a kubelet would, read from the manifest
alone (no unroot code): a read-only root when readOnlyRootFilesystem, an
empty directory of mode 1777 (made here, under EMPTYDIRS) bound at each
emptyDir mount and a bind per hostPath, --user runAsUser:runAsGroup,
--group-add for fsGroup and each supplementalGroups entry, --cap-drop per
dropped capability, no-new-privileges when allowPrivilegeEscalation is
false, the pod's sysctls (the kernel's unprivileged port start, 1024, when
it sets none: Docker's own 0 is not what every runtime gives), the env, the
image and the command (command replaces the entrypoint, as in Kubernetes).
Init containers run here first, each to its end, with the same security
options and their own mounts of the same volumes (a mount's subPath is
that directory of the volume).  It fails on a manifest that breaks the
"restricted" profile or names another image than IMAGE."""
import os
import subprocess
import sys

import yaml

pod_file, image, emptydirs = sys.argv[1:4]
pod = yaml.safe_load(open(pod_file))
assert pod["apiVersion"] == "v1" and pod["kind"] == "Pod", pod
spec = pod["spec"]
psc = spec["securityContext"]
(c,) = spec["containers"]
csc = c["securityContext"]
assert psc["runAsNonRoot"] is True and psc["runAsUser"] != 0, psc
assert psc["seccompProfile"] == {"type": "RuntimeDefault"}, psc
assert csc["allowPrivilegeEscalation"] is False, csc
assert csc["capabilities"]["drop"] == ["ALL"], csc
assert c["image"] == image, "the Pod runs %s, not %s" % (c["image"], image)

args = ["--network", "none"]
if csc.get("readOnlyRootFilesystem"):
    args.append("--read-only")
args.append("--user=%d:%d" % (psc["runAsUser"], psc.get("runAsGroup", 0)))
groups = list(psc.get("supplementalGroups", []))
if "fsGroup" in psc:
    groups.append(psc["fsGroup"])
args += ["--group-add=%d" % g for g in groups]
args += ["--cap-drop=%s" % cap for cap in csc["capabilities"]["drop"]]
args.append("--security-opt=no-new-privileges")
sysctls = {s["name"]: s["value"] for s in psc.get("sysctls", [])}
sysctls.setdefault("net.ipv4.ip_unprivileged_port_start", "1024")
args += ["--sysctl=%s=%s" % kv for kv in sorted(sysctls.items())]

volumes = {v["name"]: v for v in spec.get("volumes", [])}
os.makedirs(emptydirs, exist_ok=True)
vol_dirs = {}


def volume_source(name):
    v = volumes[name]
    if "hostPath" in v:
        return v["hostPath"]["path"]
    if "emptyDir" not in v:
        sys.exit("volume %s: only emptyDir and hostPath are run here" % v)
    if name not in vol_dirs:  # one empty 1777 directory per emptyDir
        vol_dirs[name] = os.path.join(emptydirs, name)
        os.mkdir(vol_dirs[name])
        os.chmod(vol_dirs[name], 0o1777)
    return vol_dirs[name]


def mounts(container):
    out = []
    for m in container.get("volumeMounts", []):
        src = volume_source(m["name"])
        if m.get("subPath"):
            src = os.path.join(src, m["subPath"])
        mount = "type=bind,source=%s,destination=%s" % (src, m["mountPath"])
        out += ["--mount", mount + (",readonly" if m.get("readOnly") else "")]
    return out


security = list(args)
for ic in spec.get("initContainers", []):
    cmd = ic["command"]
    run = ["docker", "run", "--rm"] + security + mounts(ic)
    run += ["--entrypoint", cmd[0], image] + cmd[1:]
    subprocess.run(run, check=True, stdout=sys.stderr)
args += mounts(c)
for e in c.get("env", []):
    args += ["-e", "%s=%s" % (e["name"], e["value"])]
command = c.get("command", [])
if command:
    args += ["--entrypoint", command[0]]
args.append(image)
args += command[1:]
print("\n".join(args))
