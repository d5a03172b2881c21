#!/bin/sh
# Build the site in its directory, serve the result on loopback without
# building it again, read the page back, stop the server: the exit status
# says whether the site was built and served.
set -eu
cd /srv/site
jekyll build
jekyll serve --skip-initial-build --no-watch --host 127.0.0.1 --port 4000 \
	>/tmp/jekyll.log 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
page=$(http-get 4000 /check.html) || { cat /tmp/jekyll.log; exit 1; }
kill "$pid"
wait "$pid" || true
case $page in *"unroot works"*) ;; *) echo "page: $page"; exit 1 ;; esac
echo "jekyll: ok"
