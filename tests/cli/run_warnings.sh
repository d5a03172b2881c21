#!/bin/sh
# run_warnings.sh UNROOT CASE - `unroot run` and `unroot report` print the
# same warnings (one service computes them), as root and as uid 1001:
#   lost_nothing: sh -c 'true; true' (Debian's sh leaves by _exit) and a
#     pipeline of real programs lose nothing, so neither command warns;
#   sigkill: a workload killed by SIGKILL is reported INCOMPLETE by both;
#   staged: a shell SIGKILLed after 3000 creates, its latest records
#     still in its staging window: the run's summary and the report
#     count all 3000;
#   counts: the summary counts what the trace holds: a shell that makes 4
#     writes and, as uid 1001, is refused 3 (new files under /etc and
#     /root, an append to /etc/passwd), all by redirections of builtins
#     (no other program runs), is summarised as "write calls: 4" and
#     "denials: 3", each refused call listed with its path; as root, the
#     4 writes alone and "denials: 0";
#   repeats: one process that fails the same mkdir four times (EEXIST) and,
#     as uid 1001, is refused the same create three times has each listed
#     once by the report, with its count;
#   refused: a program that chroots to / and switches to gid 0 is, as uid
#     1001, refused both (EPERM): the run's summary and the report list
#     them as calls only privilege allows, and the plan says that no
#     grant makes them work; as root both succeed and nothing is listed.
# The run's "Warnings:" block (up to its "  trace:" line) must equal the
# report's "Warnings:" block line for line.  Exit 77 when uid 1001 cannot
# be used (not root, or no setpriv).
set -u
unroot=$1
case=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../common/stage.sh"
[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 || {
	echo "SKIP: needs root and setpriv for uid 1001"
	exit 77
}
tmp=$(mktemp -d /tmp/unroot-runwarn.XXXXXX)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
u=$(stage_unroot "$unroot" "$tmp/stage")
fail=0
bad() {
	echo "FAIL: $*" >&2
	fail=1
}

as() { # USER CMD...
	user=$1
	shift
	if [ "$user" = root ]; then
		"$@"
	else
		setpriv --reuid=1001 --regid=1001 --clear-groups "$@"
	fi
}

# check USER WANT-STATUS NAME CMD...: run CMD traced as USER into
# $tmp/USER/NAME; leaves the run's and the report's warnings in
# $tmp/USER/NAME.run and .report
check() {
	user=$1 want=$2 name=$3
	shift 3
	d=$tmp/$user
	as "$user" "$u" run -o "$d/$name" -- "$@" >/dev/null 2>"$d/$name.err"
	st=$?
	[ "$st" = "$want" ] || bad "$user $name: exit $st, want $want: $(cat "$d/$name.err")"
	sed -n '/^Warnings:$/,/^  trace: /p' "$d/$name.err" | sed '$d' >"$d/$name.run"
	as "$user" "$u" report "$d/$name" >"$d/$name.out" 2>&1 ||
		bad "$user $name: unroot report failed: $(cat "$d/$name.out")"
	sed -n '/^Warnings:$/,$p' "$d/$name.out" >"$d/$name.report"
	[ -s "$d/$name.run" ] || bad "$user $name: the run printed no warnings block: $(cat "$d/$name.err")"
	cmp -s "$d/$name.run" "$d/$name.report" || {
		bad "$user $name: run and report disagree"
		diff "$d/$name.run" "$d/$name.report" >&2
	}
}

for user in root 1001; do
	mkdir -p "$tmp/$user"
	[ "$user" = root ] || chown 1001:1001 "$tmp/$user"
	cd "$tmp/$user" || exit 1
	case $case in
	lost_nothing)
		check "$user" 0 dash sh -c 'true; true'
		check "$user" 0 pipe sh -c 'seq 100 | sort -r | tr 1 x >out.txt; cat out.txt | wc -l >/dev/null'
		for n in dash pipe; do
			if [ "$(cat "$n.run")" != "$(printf 'Warnings:\n  none')" ]; then
				bad "$user $n: warned although nothing was lost:"
				cat "$n.run" >&2
			fi
		done
		;;
	sigkill)
		check "$user" 137 killed sh -c 'echo x >before.txt; kill -KILL $$; echo y >after.txt'
		grep -q '^  INCOMPLETE: .*killed by signal 9, SIGKILL' killed.run ||
			bad "$user: a SIGKILLed workload is not reported incomplete: $(cat killed.err)"
		[ ! -e after.txt ] || bad "$user: the workload went on after SIGKILL"
		;;
	staged)
		# 3000 creates by one shell, then SIGKILL: its last records
		# are in its staging window (SCHEMA.md "Stage files"), which
		# the run's summary and the report read over its log
		w='i=0; while [ $i -lt 3000 ]; do : >f$i; i=$((i+1)); done'
		check "$user" 137 staged sh -c "$w; kill -KILL \$\$"
		ls staged/log/*.jsonl.stage >/dev/null 2>&1 ||
			bad "$user: the killed shell left no stage file"
		grep -q '^  write calls:    3000$' staged.err ||
			bad "$user: want 3000 write calls: $(cat staged.err)"
		n=$(as "$user" "$u" report --json staged |
			grep -c "\"path\":\"$tmp/$user/f[0-9]*\"")
		[ "$n" = 3000 ] || bad "$user: report lists $n of 3000 creates"
		;;
	counts)
		# a failed redirection of echo (not a special builtin) does
		# not end the shell; exec 2>/dev/null is the 4th write; root
		# makes only the 4 (it would be allowed the others)
		w='exec 2>/dev/null; echo a >w1; echo b >w2; echo c >>w1'
		ndenied=0
		if [ "$user" != root ]; then
			w="$w; echo >/etc/unroot-denied; echo >/root/unroot-denied"
			w="$w; echo >>/etc/passwd; exit 0"
			ndenied=3
		fi
		check "$user" 0 counts sh -c "$w"
		grep -q '^  write calls:    4$' counts.err ||
			bad "$user: want 4 write calls: $(cat counts.err)"
		grep -q "^  denials:        $ndenied\$" counts.err ||
			bad "$user: want $ndenied denials: $(cat counts.err)"
		[ "$user" = root ] && continue
		for d in 'open /etc/unroot-denied (EACCES)' \
			'open /root/unroot-denied (EACCES)' \
			'open /etc/passwd (EACCES)'; do
			grep -qF "  denied: $d by " counts.err ||
				bad "$user: '$d' not listed: $(cat counts.err)"
		done
		;;
	repeats)
		py='import os
os.mkdir("d")
for _ in range(4):
    try:
        os.mkdir("d")
    except FileExistsError:
        pass
for _ in range(3):
    try:
        open("/etc/unroot-denied", "w")
    except PermissionError:
        pass'
		check "$user" 0 repeats python3 -c "$py"
		out=$tmp/$user/repeats.out
		[ "$(grep -c "^  mkdir   $tmp/$user/d  EEXIST  by " "$out")" = 1 ] &&
			grep -q "^  mkdir   $tmp/$user/d  EEXIST  by .*  (x4)\$" "$out" ||
			bad "$user: the failed mkdir is not one line counted 4: $(cat "$out")"
		[ "$user" = root ] && continue
		[ "$(grep -c '^  open    /etc/unroot-denied  EACCES  by ' "$out")" = 1 ] &&
			grep -q '^  open    /etc/unroot-denied  EACCES  by .*  (x3)$' "$out" ||
			bad "$user: the denial is not one line counted 3: $(cat "$out")"
		;;
	refused)
		py='import os
for f, a in ((os.chroot, "/"), (os.setgid, 0)):
    try:
        f(a)
    except PermissionError:
        pass'
		check "$user" 0 refused python3 -c "$py"
		out=$tmp/$user/refused.out
		if [ "$user" = root ]; then
			grep -q "privilege allows" "$tmp/$user/refused.err" "$out" &&
				bad "root: refused calls listed: $(cat "$out")"
			continue
		fi
		grep -q '^  refused calls only privilege allows: 2$' \
			"$tmp/$user/refused.err" ||
			bad "$user: the summary does not count 2: $(cat "$tmp/$user/refused.err")"
		grep -q '^Refused calls only privilege allows (2)' "$out" ||
			bad "$user: the report has no section: $(cat "$out")"
		for c in 'chroot /  EPERM  by python3' 'setgid 0  EPERM  by python3'; do
			grep -qF "  $c" "$tmp/$user/refused.err" ||
				bad "$user: the summary does not list '$c'"
			grep -qF "  $c" "$out" ||
				bad "$user: the report does not list '$c'"
		done
		"$u" plan "$tmp/$user/refused" >"$tmp/$user/refused.plan" 2>&1 ||
			bad "$user: plan failed: $(cat "$tmp/$user/refused.plan")"
		grep -q 'was refused chroot(/) (EPERM): a call only privilege allows' \
			"$tmp/$user/refused.plan" ||
			bad "$user: the plan does not name chroot: $(cat "$tmp/$user/refused.plan")"
		;;
	*)
		echo "run_warnings.sh: unknown case $case" >&2
		exit 2
		;;
	esac
	cd "$tmp" || exit 1
done
[ "$fail" = 0 ] && echo PASS
exit "$fail"
