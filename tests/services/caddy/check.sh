#!/bin/sh
# Start caddy in the background as its unit does (caddy start forks
# `caddy run` and returns once it serves), fetch the package's page on
# port 80 over loopback, stop it through its admin endpoint: the exit
# status says whether the service worked.
set -eu
caddy start --config /etc/caddy/Caddyfile --adapter caddyfile
page=$(http-get 80 /)
caddy stop
echo "$page" | grep -q "Caddy works!" || { echo "unexpected: $page"; exit 1; }
[ -f "$HOME/.config/caddy/autosave.json" ] || { echo "no autosave.json"; exit 1; }
echo "caddy: ok"
