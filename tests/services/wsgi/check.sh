#!/bin/sh
# Start apache2 with apache2ctl, ask the WSGI application for its greeting
# over loopback, stop apache2: the exit status says whether it worked.
set -eu
apache2ctl start
page=$(http-get 80 /app) || page="(no answer)"
apache2ctl stop
[ "$page" = "hello from mod_wsgi" ] || { echo "unexpected: $page"; exit 1; }
echo "wsgi: ok"
