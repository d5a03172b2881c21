#!/bin/sh
# biglog.sh UNROOT - `unroot report` and `unroot plan` on a big log of valid
# events must stream it: peak RSS bounded (events are not kept, trace.h),
# whatever the size.  The log is UNROOT_BIGLOG_MB megabytes (default 1024:
# one gigabyte) of a block of 2,000 events on 200 distinct paths repeated;
# peak RSS must stay under UNROOT_BIGLOG_RSS_MB (default 256).  Prints the
# numbers.  Owned by the robustness suite (tests/robust/).
set -eu
unroot=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
mb=${UNROOT_BIGLOG_MB:-1024}
limit=${UNROOT_BIGLOG_RSS_MB:-256}

[ -x /usr/bin/time ] || { echo "skip: /usr/bin/time missing (apt-get install time)"; exit 77; }
t=$(mktemp -d /tmp/unroot-biglog.XXXXXX)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/tr/log"
avail=$(df -Pk "$t" | awk 'NR == 2 { print int($4 / 1024) }')
if [ "$avail" -lt $((mb + 64)) ]; then
	echo "skip: $mb MB log needs space; $avail MB free in $(dirname "$t")"
	exit 77
fi

# one block: 2,000 events over 200 paths, 10 of them denied writes
i=0
while [ $i -lt 2000 ]; do
	n=$((i % 200))
	if [ $((i % 200)) -lt 10 ]; then
		open_ev 500 $((i + 1000)) "/srv/big/d$n/f" EACCES 1001 >> "$t/block"
	else
		mkdir_ev 500 $((i + 1000)) "/srv/big/d$n" >> "$t/block"
	fi
	i=$((i + 1))
done
bsize=$(wc -c < "$t/block")
# double the block until it is about 1 MB, then append that until mb MB
cp "$t/block" "$t/mb"
while [ "$(wc -c < "$t/mb")" -lt 1048576 ]; do
	cat "$t/mb" "$t/mb" > "$t/mb2"
	mv "$t/mb2" "$t/mb"
done
per=$(wc -c < "$t/mb")
log=$t/tr/log/500-big.jsonl
proc 500 > "$log"
target=$((mb * 1048576))
# 16 copies at a time: fewer processes
cat "$t/mb" "$t/mb" "$t/mb" "$t/mb" "$t/mb" "$t/mb" "$t/mb" "$t/mb" \
    "$t/mb" "$t/mb" "$t/mb" "$t/mb" "$t/mb" "$t/mb" "$t/mb" "$t/mb" > "$t/16"
size=0
while [ $((size + per * 16)) -le "$target" ]; do
	cat "$t/16" >> "$log"
	size=$((size + per * 16))
done
while [ $((size + per)) -le "$target" ]; do
	cat "$t/mb" >> "$log"
	size=$((size + per))
done
rm -f "$t/16" "$t/mb" "$t/block"
events=$((size / bsize * 2000))
echo "log: $(wc -c < "$log") bytes, $events events"

for cmd in report plan; do
	/usr/bin/time -f '%M %e' -o "$t/time" "$unroot" $cmd "$t/tr" \
		> "$t/$cmd.out" 2> "$t/err" || { cat "$t/err" >&2; fail "$cmd exited $?"; }
	read -r rss secs < "$t/time"
	echo "$cmd: peak RSS $rss KB, $secs s"
	[ $((rss / 1024)) -le "$limit" ] ||
		fail "$cmd: peak RSS $((rss / 1024)) MB > $limit MB on a $mb MB log"
	grep -q 'reader' "$t/err" && { cat "$t/err" >&2; fail "$cmd: a valid log gave reader messages"; }
	:
done
expect "$t/plan.out" "/srv/big/d0" "the plan covers the denied paths"
head -1 "$t/report.out" > "$t/head"
expect "$t/head" "$events events" "report counts every event"
echo "ok: big log ($mb MB)"
