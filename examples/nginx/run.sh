#!/bin/sh
# Start nginx, exercise it over loopback inside the container (a GET and an
# upload that nginx buffers to a temp file), stop it: one run of the
# nginx example.  Runs with --network none: only 127.0.0.1 is used.
set -eu
nginx -c /etc/nginx/unroot-example.conf
i=0
until got=$(curl -fsS http://127.0.0.1:8080/index.html 2>/dev/null); do
	i=$((i + 1))
	[ $i -lt 50 ] || { echo "run.sh: nginx did not answer" >&2; exit 1; }
	sleep 0.1
done
case $got in *"hello from nginx"*) ;; *) echo "run.sh: wrong page: $got" >&2; exit 1 ;; esac
head -c 20000 /dev/zero | curl -fsS --data-binary @- http://127.0.0.1:8080/upload >/dev/null
nginx -c /etc/nginx/unroot-example.conf -s quit
i=0
while [ -e /run/nginx.pid ] && [ $i -lt 50 ]; do
	i=$((i + 1))
	sleep 0.1
done
echo "run.sh: ok"
