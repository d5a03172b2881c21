#!/bin/sh
# Start haproxy as Debian's service does (the stock configuration and
# ours, a pid file in /run), fetch a page through it, stop it: the exit
# status says whether the service worked.
set -eu
haproxy -f /etc/haproxy/haproxy.cfg -f /etc/haproxy/front.cfg -p /run/haproxy.pid -D
page=$(http-get 80 /)
kill "$(cat /run/haproxy.pid)"
[ "$page" = "unroot haproxy page" ] || { echo "unexpected: $page"; exit 1; }
echo "haproxy: ok"
