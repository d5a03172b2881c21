#!/bin/sh
# Start php-fpm (it daemonizes), run a PHP script through its socket with
# cgi-fcgi, stop it and wait for its pid file to go: the exit status says
# whether the service worked.
set -eu
sock=/run/php/php8.2-fpm.sock
php-fpm8.2
i=0
while [ ! -S "$sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
out=$(SCRIPT_FILENAME=/var/www/html/t.php REQUEST_METHOD=GET \
	cgi-fcgi -bind -connect "$sock")
kill "$(cat /run/php/php8.2-fpm.pid)"
i=0
while [ -e /run/php/php8.2-fpm.pid ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
echo "$out" | grep -q "unroot php 2" || { echo "unexpected: $out"; exit 1; }
echo "php-fpm: ok"
