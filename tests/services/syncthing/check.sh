#!/bin/sh
# Start syncthing, fetch its web interface over loopback, stop it, and
# find the device it made itself (its certificate, and the device in its
# configuration): the exit status says whether it worked.
set -eu
syncthing serve --no-browser --no-restart --gui-address=127.0.0.1:8384 &
pid=$!
page=$(http-get 8384 /)
kill "$pid"
wait "$pid" || true
case $page in
*Syncthing*) ;;
*) echo "unexpected: $page" | head -5; exit 1 ;;
esac
conf=${XDG_CONFIG_HOME:-$HOME/.config}/syncthing
test -s "$conf/cert.pem"
grep -q '<device id=' "$conf/config.xml"
echo "syncthing: ok"
