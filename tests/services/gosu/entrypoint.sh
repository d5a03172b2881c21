#!/bin/sh
# As root: give what the volume holds to redis, then run the command as
# redis through gosu; as anyone else: run the command.
set -e
if [ "$(id -u)" = 0 ]; then
	find /data \! -user redis -exec chown redis:redis '{}' +
	exec gosu redis "$@"
fi
exec "$@"
