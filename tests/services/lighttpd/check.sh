#!/bin/sh
# The entrypoint: as root, drop to www-data with setpriv, as many images'
# entrypoints do; then start lighttpd, fetch its page over loopback, stop
# it.  The exit status says whether the service worked.
set -eu
if [ "$(id -u)" = 0 ]; then
	exec setpriv --reuid www-data --regid www-data --init-groups "$0" "$@"
fi
lighttpd -f /etc/lighttpd/unroot.conf
page=$(http-get 8080 /)
pid=$(cat /run/lighttpd/lighttpd.pid)
kill "$pid"
while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
[ "$page" = "unroot lighttpd page" ] || { echo "unexpected: $page"; exit 1; }
grep -q 'GET / ' /var/log/lighttpd/access.log
echo "lighttpd: ok"
