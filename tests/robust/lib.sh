# lib.sh - shared by the robustness tests of tests/robust/: writing trace
# records by hand, so each test states exactly which bytes the reader sees.
# Sourced, not run.

# proc PID [V]: a proc record (schema version V, default 1)
proc() {
	printf '{"t":"proc","v":%s,"pid":%s,"ppid":1,"ts":%s000,"exe":"/usr/bin/app","argv0":"app","cwd":"/","uid":0,"euid":0,"gid":0,"egid":0,"groups":[],"ns":4026531832,"rootfs":"65024:2","env":{"HOME":"/root"},"stacks":false}\n' \
		"${2:-1}" "$1" "$1"
}

# mkdir_ev PID TS PATH: a successful mkdir of PATH (a JSON string body)
mkdir_ev() {
	printf '{"t":"ev","op":"mkdir","fn":"mkdir","path":"%s","mode":"0755","ret":0,"errno":null,"pid":%s,"tid":%s,"ts":%s,"uid":0,"gid":0,"st":null,"parent":{"type":"dir","uid":0,"gid":0,"mode":"0755"}}\n' \
		"$3" "$1" "$1" "$2"
}

# open_ev PID TS PATH ERRNO UID: an O_WRONLY|O_CREAT open, failed with ERRNO
# (or succeeded when ERRNO is null), made as UID
open_ev() {
	e=$4
	[ "$e" = null ] || e="\"$e\""
	r=-1
	[ "$4" = null ] && r=3
	printf '{"t":"ev","op":"open","fn":"open","path":"%s","flags":"O_WRONLY|O_CREAT|O_TRUNC","mode":"0644","ret":%s,"errno":%s,"pid":%s,"tid":%s,"ts":%s,"uid":%s,"gid":%s,"st":%s,"parent":{"type":"dir","uid":0,"gid":0,"mode":"0755"}}\n' \
		"$3" "$r" "$e" "$1" "$1" "$2" "$5" "$5" "${6:-null}"
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect FILE PATTERN WHAT: FILE must match the fixed string PATTERN
expect() {
	grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$3 (no '$2')"; }
}
