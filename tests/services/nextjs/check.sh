#!/bin/sh
# Start next start, ask for the home page and the prerendered page, wait
# past its revalidate time and ask again (Next.js serves the stale page and
# regenerates it in the background), until the page shows a new stamp;
# then ask for the image, resized and cached on request.  The regenerated
# page must be the one written over the prerendered file, and the resized
# image must be in the cache: the exit status says whether it all worked.
set -eu
cd /opt/next-app
node_modules/.bin/next start -H 127.0.0.1 -p 3000 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
stamp() { http-get 3000 /isr | sed -n 's/.*stamp:\([0-9]*\):.*/\1/p'; }
# traced and starting cold, it may take longer than one http-get waits
for _ in 1 2 3 4 5 6; do
	page=$(http-get 3000 /) && break
done
first=$(stamp)
now=$first
for _ in $(seq 50); do
	sleep 0.3
	now=$(stamp)
	[ "$now" = "$first" ] || break
done
bytes=$(http-get 3000 '/_next/image?url=%2Fdot.png&w=16&q=75' | wc -c)
# the resized image is cached after it is sent
cached() { find .next/cache/images -name '*.png' 2>/dev/null | grep -q .; }
for _ in $(seq 50); do cached && break || sleep 0.2; done
kill "$pid"
wait "$pid" || true
echo "$page" | grep -q 'hello from next' || { echo "unexpected: $page"; exit 1; }
[ -n "$first" ] || { echo "no stamp on /isr"; exit 1; }
[ "$now" != "$first" ] || { echo "/isr was never regenerated"; exit 1; }
grep -q "stamp:$now:" .next/server/pages/isr.html ||
	{ echo "the regenerated page is not in .next/server/pages"; exit 1; }
[ "$bytes" -gt 0 ] || { echo "no image from /_next/image"; exit 1; }
cached || { echo "the resized image is not cached"; exit 1; }
echo "nextjs: ok"
