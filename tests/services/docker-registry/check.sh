#!/bin/sh
# Start the registry on loopback, let check.pl push a blob and a manifest
# and pull them back, stop the registry: the exit status says whether the
# registry worked.
set -eu
docker-registry serve /etc/docker/registry/config.yml >/tmp/registry.log 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
status=0
perl /usr/local/bin/check-registry-client || status=$?
kill "$pid"
wait "$pid" || true
[ "$status" -eq 0 ] || { cat /tmp/registry.log; exit 1; }
echo "docker-registry: ok"
