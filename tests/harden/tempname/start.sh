# a directory for this run only, given to svc, with the run's state in it,
# read back as svc (through su: as another user than root it is a set-uid
# program the preload cannot follow, which harden warns of)
set -eu
d=$(mktemp -d /run/svc/socks.XXXXXXXXXX)
chown svc:svc "$d" || echo "start: cannot give $d to svc"
echo ready >"$d/state"
su -s /bin/sh svc -c "cat '$d/state'" </dev/null || echo "start: cannot read $d as svc"
echo "start: $d ready"
