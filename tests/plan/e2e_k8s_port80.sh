#!/bin/sh
# e2e_k8s_port80.sh - a server that binds port 80: the trace records the
# bind (a "net" record), the plan proposes a port change or the sysctl
# net.ipv4.ip_unprivileged_port_start and adds nothing else (no grant, no
# capability), the k8s patch carries the sysctl and the restricted
# profile, and uid 1001 then binds port 80 with exactly that sysctl (and
# is denied without it, which is why the plan must say it even though the
# root run saw no denial).  Each run has a network namespace of its own
# (unshare -n): nothing binds on the host.
set -eu
. "$(dirname "$0")/lib_e2e.sh"
command -v ip >/dev/null 2>&1 || skip "ip (iproute2) not installed"

fixdir "$IMG/app"
cat >"$IMG/app/serve.py" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", 80))
except PermissionError as e:
    print("bind denied:", e)
    sys.exit(3)
s.listen(1)
c = socket.create_connection(("127.0.0.1", 80))   # the probe
a, _ = s.accept()
c.sendall(b"ping")
assert a.recv(4) == b"ping"
print("served on port 80")
PY
chmod 644 "$IMG/app/serve.py"

# a network namespace with its loopback up, then CMD
LO='ip link set lo up && exec "$@"'
profile unshare -n sh -c "$LO" sh "$PY" "$IMG/app/serve.py"
"$(dirname "$0")/../../scripts/logcat.py" "$S"/trace-root/log |
	grep '"t":"net"' | grep -q '"port":80' ||
	fail "no net record of the bind to port 80"
make_plan
for f in k8s compose; do
	"$UNROOT" plan --format "$f" "$S/trace-root" >"$S/plan.$f" ||
		fail "unroot plan --format $f failed"
done
note "plan.k8s:"
cat "$S/plan.k8s"
# a host run names no image: the pod format refuses, it does not guess
"$UNROOT" plan --format pod "$S/trace-root" >/dev/null 2>"$S/pod.err" &&
	fail "--format pod wrote a Pod without an image"
grep -q "names no image" "$S/pod.err" || fail "pod: $(cat "$S/pod.err")"

# nothing else is added: no grant, and the advice is a note
grep -q '^chown\|^mkdir\|^touch\|^chmod' "$S/plan.sh" &&
	fail "the plan grants something for a port"
"$PY" - "$S" <<'PY' || fail "the plans are wrong for port 80"
import json, sys, yaml
S = sys.argv[1]
plan = json.load(open(S + "/plan.json"))
assert plan["grants"] == [] and plan["tmpfs"] == [], plan
notes = " ".join(plan["notes"])
assert "port 80" in notes and "ip_unprivileged_port_start" in notes, notes
assert "1024 or above" in notes, notes
for f in ("k8s", "compose", "sh"):
    text = open(S + "/plan." + f).read()
    body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
    assert "NET_BIND_SERVICE" not in body, f
k = yaml.safe_load(open(S + "/plan.k8s"))
assert k["kind"] == "Deployment", k
pod = k["spec"]["template"]["spec"]
sc = pod["securityContext"]
assert sc["runAsNonRoot"] is True and sc["runAsUser"] == 1001, sc
assert sc["runAsGroup"] == 1001, sc
assert sc["seccompProfile"] == {"type": "RuntimeDefault"}, sc
assert sc["sysctls"] == [{"name": "net.ipv4.ip_unprivileged_port_start",
                          "value": "80"}], sc
assert "fsGroup" not in sc and "supplementalGroups" not in sc, sc
(c,) = pod["containers"]
assert c["securityContext"] == {"allowPrivilegeEscalation": False,
                                "capabilities": {"drop": ["ALL"]}}, c
assert "volumes" not in pod and "volumeMounts" not in c, pod
comp = yaml.safe_load(open(S + "/plan.compose"))
assert comp["user"] == "1001:1001" and comp["cap_drop"] == ["ALL"], comp
assert comp["security_opt"] == ["no-new-privileges:true"], comp
assert "sysctls" not in comp and "cap_add" not in comp, comp
PY

# the sysctl the patch names is what uid 1001 needs, and enough
value=$("$PY" -c 'import sys, yaml
k = yaml.safe_load(open(sys.argv[1]))
print(k["spec"]["template"]["spec"]["securityContext"]["sysctls"][0]["value"])' "$S/plan.k8s")
rc=0
unshare -n sh -c "$LO" sh \
	setpriv --reuid="$E2E_UID" --regid="$E2E_UID" --clear-groups "$PY" "$IMG/app/serve.py" >/dev/null 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "uid $E2E_UID bound port 80 without the sysctl (exit $rc)"
mkdir -p "$S/trace-user"
chown "$E2E_UID:$E2E_UID" "$S/trace-user"
(cd "$S" && unshare -n sh -c 'ip link set lo up &&
	echo "$1" >/proc/sys/net/ipv4/ip_unprivileged_port_start && shift &&
	exec "$@"' sh "$value" \
	env -i PATH="$E2E_PATH" HOME=/home/nonroot LANG=C.UTF-8 setpriv --reuid="$E2E_UID" --regid="$E2E_UID" --clear-groups \
	--no-new-privs "$UNROOT" run -o "$S/trace-user" -- \
	"$PY" "$IMG/app/serve.py") ||
	fail "uid $E2E_UID cannot serve on port 80 with the planned sysctl"
assert_no_denials "$S/trace-user"
echo "PASS $E2E_NAME"
