#!/bin/sh
# layer.sh LAYERLIST - a container layer's changes read from its overlay2
# directories (cli/overlaydiff.c) are the list `docker diff` prints, on a
# layer with every kind of change: files and trees added, rewritten,
# chmod'ed, chown'ed, hard-linked, renamed, deleted; a directory replaced
# (opaque), a file replaced by a directory and one the other way round; a
# device, a fifo, a symlink, file capabilities; all on an image of two
# layers, the upper one with its own whiteouts and opaque directory.  Then
# `unroot docker` reads the layer that way (trace.json says "overlay2"),
# in less time than `docker diff` takes alone.
# LAYERLIST: tests/container/layerlist.c built against the CLI.
LAYERLIST=${1:?usage: layer.sh LAYERLIST}
. "$(dirname "$0")/common.sh"
need_bookworm_and_payload
[ "$(docker info --format '{{.Driver}}')" = overlay2 ] ||
	fail "this test needs Docker's overlay2 storage driver"

cat >"$WORK/image.sh" <<'SH'
set -e
rm /etc/issue.net
rm -rf /var/log && mkdir /var/log && echo a >/var/log/first
mkdir -p /data/keep && echo k >/data/keep/k && echo d >/data/gone
rm -rf /usr/share/doc/tar
SH
cat >"$WORK/run.sh" <<'SH'
set -e
echo x >/tmp/new
mkdir -p /opt/a/b/c && echo y >/opt/a/b/c/file
echo z >>/etc/debian_version
chmod 600 /etc/issue
chown 1001 /home
chmod 700 /srv
touch /mnt
ln /usr/bin/true /usr/local/bin/t2
ln -s /etc/passwd /root/pl
mv /etc/motd /etc/motd2
mv /usr/share/doc/bash /usr/share/doc/bash2
rm -rf /usr/share/doc/apt
rm -rf /var/cache/apt && mkdir /var/cache/apt && touch /var/cache/apt/x
touch /var/tmp/x && rm /var/tmp/x
mkdir -p /usr/lib/newdir/sub && rmdir /usr/lib/newdir/sub
mkfifo /tmp/fifo
mknod /tmp/dev c 1 3
rm /etc/host.conf && mkdir /etc/host.conf && touch /etc/host.conf/x
rm -rf /usr/share/doc/sed && echo f >/usr/share/doc/sed
python3 -c "import os
open('/usr/local/bin/capped', 'w').write('x')
os.setxattr('/usr/local/bin/capped', 'security.capability',
            bytes.fromhex('0100000200100000000000000000000000000000'))"
echo n >/etc/issue.net
echo b >/var/log/second && rm /var/log/first
rm /data/gone
rm -rf /data/keep && mkdir /data/keep && echo new >/data/keep/n
mkdir -p /usr/share/doc/tar && echo again >/usr/share/doc/tar/x
SH
IMG=unroot-test-layer-$$
C=unroot-test-layer-mk-$$
trap 'docker rm -f "$C" "$C-run" "$C-traced" >/dev/null 2>&1; docker rmi "$IMG" >/dev/null 2>&1; rm -rf "$WORK"' EXIT
docker run --network none --name "$C" -v "$WORK:/w:ro" unroot-base:bookworm \
	sh /w/image.sh || fail "cannot prepare the image"
docker commit "$C" "$IMG" >/dev/null || fail "docker commit"

step "the overlay2 directories against docker diff"
docker run --network none --name "$C-run" -v "$WORK:/w:ro" "$IMG" sh /w/run.sh ||
	fail "the workload failed"
docker diff "$C-run" | LC_ALL=C sort >"$WORK/docker-diff" || fail "docker diff"
"$LAYERLIST" "$C-run" >"$WORK/layerlist"
rc=$?
[ $rc = 0 ] || fail "the overlay2 directories could not be read (exit $rc)"
LC_ALL=C sort "$WORK/layerlist" >"$WORK/overlay"
diff "$WORK/docker-diff" "$WORK/overlay" || fail "the lists differ (above)"
n=$(wc -l <"$WORK/overlay")
[ "$n" -ge 40 ] || fail "only $n changes: the workload did not run as written"
for k in A C D; do
	grep -q "^$k " "$WORK/overlay" || fail "no change of kind $k"
done
echo "PASS: $n changes, the same as docker diff's"

step "unroot docker reads the layer from the directories"
start=$(date +%s%N)
docker diff "$C-run" >/dev/null
diff_ms=$((($(date +%s%N) - start) / 1000000))
"$UNROOT" docker -o "$WORK/t" run --name "$C-traced" --network none \
	-v "$WORK:/w:ro" "$IMG" sh /w/run.sh >"$WORK/out" 2>&1 ||
	{ cat "$WORK/out"; fail "unroot docker"; }
# the tracer's own mount points are in this layer too
docker diff "$C-traced" | LC_ALL=C sort >"$WORK/docker-diff-traced" ||
	fail "docker diff of the traced container"
"$LAYERLIST" "$C-traced" | LC_ALL=C sort >"$WORK/overlay-traced"
diff "$WORK/docker-diff-traced" "$WORK/overlay-traced" ||
	fail "the lists of the traced container differ (above)"
python3 - "$WORK/t/trace.json" "$(wc -l <"$WORK/docker-diff-traced")" <<'PY' ||
import json, sys
layer = json.load(open(sys.argv[1]))["layer"]
assert layer["source"] == "overlay2", layer
assert layer["changes"] == int(sys.argv[2]), (layer["changes"], sys.argv[2])
assert layer["unseen"] == [], layer["unseen"]
PY
	fail "trace.json's layer"
echo "PASS: trace.json's layer was read from overlay2, as docker diff lists it (docker diff alone took $diff_ms ms)"
