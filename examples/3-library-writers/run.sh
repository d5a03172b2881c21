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
# supervisorctl's status of an EXITED program is its stop time, not its
# exit status: success is the line hubcache prints last
case $st in
*EXITED*)
	if grep -q '^hubcache: cached' /tmp/hubcache.out 2>/dev/null; then
		echo "run.sh: ok"
		exit 0
	fi ;;
esac
echo "run.sh: hubcache failed: $st" >&2
exit 1
