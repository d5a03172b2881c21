#!/bin/sh
# The unit's steps in turn, then ask tor over its control socket (with
# the cookie it wrote) for its version and stop it: the exit status says
# whether it worked.
set -eu
/usr/bin/install -m 02755 -o debian-tor -g debian-tor -d /run/tor
/usr/bin/tor --defaults-torrc /usr/share/tor/tor-service-defaults-torrc \
	-f /etc/tor/torrc --RunAsDaemon 0 --verify-config >/dev/null
/usr/bin/tor --defaults-torrc /usr/share/tor/tor-service-defaults-torrc \
	-f /etc/tor/torrc --RunAsDaemon 0 --Log 'notice stderr' &
pid=$!
version=$(tor-control /run/tor/control /run/tor/control.authcookie)
kill "$pid"
wait "$pid" || true
case $version in
250-version=*) ;;
*) echo "unexpected: $version"; exit 1 ;;
esac
test -s /var/lib/tor/state || test -s /var/lib/tor/cached-certs ||
	test -d /var/lib/tor/keys
echo "tor: ok"
