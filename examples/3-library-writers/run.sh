#!/bin/sh
# Start supervisord (it daemonizes), wait for its program to finish, check
# it succeeded, and shut supervisord down: one run of scenario 3.
set -eu
conf=/app/conf/supervisord.conf
supervisord -c "$conf"
i=0
while :; do
	st=$(supervisorctl -c "$conf" status hubcache 2>/dev/null || true)
	case $st in
	*EXITED* | *FATAL* | *BACKOFF*) break ;;
	esac
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "run.sh: hubcache never finished" >&2; exit 1; }
	sleep 0.2
done
cat /tmp/hubcache.out /tmp/hubcache.err >&2 || true
supervisorctl -c "$conf" shutdown >/dev/null
i=0
while [ -e /app/supervisord.pid ] && [ $i -lt 50 ]; do
	i=$((i + 1))
	sleep 0.2
done
case $st in
*"exit status 0"* | *EXITED*0*) echo "run.sh: ok" ;;
*) echo "run.sh: hubcache failed: $st" >&2; exit 1 ;;
esac
