#!/bin/sh
# Start apache2 with apache2ctl, fetch the PHP page over loopback (it
# starts a session and writes a file), stop it: the exit status says
# whether the service worked.
set -eu
apache2ctl start
page=$(http-get 80 /index.php)
apache2ctl stop
id=$(echo "$page" | sed -n 's/^unroot php \([a-z0-9]*\)$/\1/p')
[ -n "$id" ] || { echo "unexpected: $page"; exit 1; }
test -s "/var/lib/php/sessions/sess_$id"
test "$(cat /var/www/data/count)" = 1
echo "php-apache: ok"
