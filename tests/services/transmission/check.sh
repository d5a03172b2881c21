#!/bin/sh
# Start transmission-daemon, add a torrent over RPC, stop it (it saves
# its settings and the torrent's resume file), start it again and find
# the torrent there: the exit status says whether it worked.
set -eu
conf=/var/lib/transmission-daemon/info
rpc="transmission-remote 127.0.0.1:9091 -n transmission:transmission"
start() {
	transmission-daemon -f --log-error --config-dir "$conf" &
	pid=$!
	i=0
	until $rpc -l >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "no RPC answer"; exit 1; }
		sleep 0.1
	done
}
stop() { kill "$pid"; wait "$pid" || true; }
# the daemon takes torrents in on its own thread, after its RPC answers
listed() {
	i=0
	until $rpc -l | grep -q payload.txt; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "$1"; $rpc -l; return 1; }
		sleep 0.1
	done
}
work=$(mktemp -d)
echo "unroot" >"$work/payload.txt"
transmission-create -o "$work/payload.torrent" "$work/payload.txt" >/dev/null
start
# the package's configuration is in force: its download directory, and
# an RPC that asks for the password it sets
$rpc -si | grep -q 'Download directory: /var/lib/transmission-daemon/downloads' ||
	{ echo "not the package's download directory"; exit 1; }
if transmission-remote 127.0.0.1:9091 -l >/dev/null 2>&1; then
	echo "the RPC answered without the package's password"
	exit 1
fi
$rpc -a "$work/payload.torrent" >/dev/null
listed "the torrent was not added"
stop
rm -rf "$work"
start
listed "the torrent is gone after a restart"
stop
grep -q '"rpc-password": "{' "$conf/settings.json"
echo "transmission: ok"
