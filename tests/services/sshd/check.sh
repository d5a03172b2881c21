#!/bin/sh
# Start sshd in the foreground on a loopback port, wait until ssh-keyscan
# gets its host keys (which sshd can only offer after loading each private
# key), stop it: the exit status says whether it served the protocol with
# every key its package made.
set -eu
/usr/sbin/sshd -D -p 2222 -o ListenAddress=127.0.0.1 -E /tmp/sshd.log &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
# each key type is asked on a connection of its own; one may come before
# sshd listens, so ask again until all three came or 10 s passed
offers() {
	for t in ssh-ed25519 ecdsa-sha2-nistp256 ssh-rsa; do
		echo "$keys" | grep -q " $t " || { echo "no $t key offered"; return 1; }
	done
}
keys=
for _ in $(seq 50); do
	keys=$(ssh-keyscan -p 2222 127.0.0.1 2>/dev/null) || true
	offers >/dev/null && break
	sleep 0.2
done
kill "$pid"
wait "$pid" || true
offers || { cat /tmp/sshd.log; exit 1; }
echo "sshd: ok"
