#!/bin/sh
# Render each /etc/nginx/templates/NAME.template into
# /etc/nginx/conf.d/NAME with the environment's SITE_PORT, as the official
# nginx image's 20-envsubst-on-templates.sh does, then run the command.
set -eu
for t in /etc/nginx/templates/*.template; do
	out=/etc/nginx/conf.d/$(basename "$t" .template)
	envsubst '${SITE_PORT}' <"$t" >"$out"
done
exec "$@"
