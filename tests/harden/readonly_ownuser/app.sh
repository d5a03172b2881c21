#!/bin/sh
# Read the image's seed, record the run beside it, and keep a cache entry
# in a directory the workload makes under its cache.
set -eu
cat /srv/data/seed.txt
date >>/srv/data/runs.log
mkdir -p /var/cache/app/entries
date >/var/cache/app/entries/last
echo "app: ok"
