#!/bin/sh
# Start nginx (it daemonizes), fetch the rendered site's page over
# loopback, stop it with nginx -s quit and wait for the master to go: the
# exit status says whether the rendered configuration was served.
set -eu
nginx
page=$(http-get "$SITE_PORT" /) || page="(no answer)"
nginx -s quit
while [ -e /run/nginx.pid ]; do sleep 0.1; done
[ "$page" = "hello from a rendered site" ] || { echo "unexpected: $page"; exit 1; }
echo "nginx-template: ok"
