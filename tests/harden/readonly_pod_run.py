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
It fails on a manifest that breaks the "restricted" profile or names
another image than IMAGE."""
import os
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
for i, m in enumerate(c.get("volumeMounts", [])):
    v = volumes[m["name"]]
    if "emptyDir" in v:
        src = os.path.join(emptydirs, str(i))
        os.mkdir(src)
        os.chmod(src, 0o1777)
    elif "hostPath" in v:
        src = v["hostPath"]["path"]
    else:
        sys.exit("volume %s: only emptyDir and hostPath are run here" % v)
    mount = "type=bind,source=%s,destination=%s" % (src, m["mountPath"])
    args += ["--mount", mount + (",readonly" if m.get("readOnly") else "")]
for e in c.get("env", []):
    args += ["-e", "%s=%s" % (e["name"], e["value"])]
command = c.get("command", [])
if command:
    args += ["--entrypoint", command[0]]
args.append(image)
args += command[1:]
print("\n".join(args))
