#!/bin/sh
# Start nginx (it daemonizes), fetch its default page over loopback, stop
# it with nginx -s quit and wait for the master to go: the exit status
# says whether the service worked.
set -eu
nginx
page=$(http-get 80 /)
nginx -s quit
while [ -e /run/nginx.pid ]; do sleep 0.1; done
echo "$page" | grep -q "Welcome to nginx"
grep -q 'GET / ' /var/log/nginx/access.log
echo "nginx: ok"
