#!/bin/sh
# libc.sh IMAGE-TAG - the payload loads and traces in an image that has
# none of the build's packages: the tracer and a small workload on
# unroot-base:bullseye (glibc 2.31), :trixie and :musl (no glibc at all).
# Checks that the container's first process reported in, that the writes
# were recorded, and (glibc) that stacks were unwound by the bundled
# libunwind.  Also checks that objdump -T of the glibc payload needs
# nothing newer than GLIBC_2.31.
set -eu
tag=$1
. "$(dirname "$0")/common.sh"
ensure_images "$tag"
ensure_payload

for f in "$PAYLOAD"/lib/x86_64-linux-gnu/*; do
	v=$(objdump -T "$f" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1)
	echo "$(basename "$f") needs GLIBC_$v"
	[ "$(printf '%s\n2.31\n' "$v" | sort -V | tail -1)" = 2.31 ] ||
		fail "$f needs GLIBC_$v (newer than 2.31)"
done

case $tag in
musl) set -- unroot-workload /app/out ;;
*) set -- python3 -c 'import os
os.makedirs("/app/out", exist_ok=True)
with open("/app/out/tmp", "w") as f: f.write("x")
os.rename("/app/out/tmp", "/app/out/out.txt")
fd = os.open("/tmp/unroot-libc-%d" % os.getpid(), os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
os.close(fd)
os.unlink("/tmp/unroot-libc-%d" % os.getpid())
print("ok")' ;;
esac
step "unroot docker on unroot-base:$tag"
"$UNROOT" docker -o "$WORK/t" -- run --rm "unroot-base:$tag" "$@" ||
	fail "the workload failed under unroot docker on $tag"
json=$("$UNROOT" report --json "$WORK/t")
for p in /app/out /app/out/out.txt; do
	echo "$json" | grep -q "\"path2*\": *\"$p\"" || fail "no record of $p on $tag"
done
echo "$json" | grep -q '"op": *"rename"' || fail "no rename recorded on $tag"
"$LOGCAT" "$WORK"/t/log | grep -a '"t":"proc"' | grep -q '"pid":1[,}]' ||
	fail "the container's first process did not report in on $tag"
if [ "$tag" != musl ]; then
	"$LOGCAT" "$WORK"/t/log | grep -aq '"t":"stack"' ||
		fail "no native stacks recorded on $tag (bundled libunwind not loaded?)"
fi
echo "PASS: tracer on unroot-base:$tag"
