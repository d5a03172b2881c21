#!/bin/sh
# Start rsyslogd, log a line through its socket, find it in the log file,
# stop it: the exit status says whether it worked.
set -eu
rsyslogd -n &
pid=$!
i=0
until [ -S /dev/log ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "no /dev/log"; exit 1; }
	sleep 0.1
done
logger -t unroot-check "hello $$"
i=0
until grep -qs "unroot-check.*hello $$" /var/log/syslog; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "the line is not in /var/log/syslog"; exit 1; }
	sleep 0.1
done
kill "$pid"
wait "$pid" || true
echo "rsyslog: ok"
