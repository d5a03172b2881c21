#!/bin/sh
# Make squid's cache directories, start it (it daemonizes), fetch the
# cache manager's info page through it and stop it: the exit status says
# whether the service worked.
set -eu
squid -z -N
squid
page=$(http-get 3128 /squid-internal-mgr/info)
squid -k shutdown
i=0
while [ -e /run/squid.pid ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
echo "$page" | grep -q "Squid Object Cache"
echo "squid: ok"
