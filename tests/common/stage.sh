# stage.sh - sourced (POSIX sh) by the tests that run programs as another
# user (uid 1001).  The build and source trees may lie below a directory
# that user cannot search (a clone under /root, mode 0700), so whatever
# the user executes or preloads is first copied into a directory it can
# reach: DEST, inside the test's own scratch directory under /tmp.  DEST
# and the directories made in it are mode 0755; the test's cleanup removes
# them with the rest of its scratch directory.
#
#   stage_unroot UNROOT DEST [DATADIR]
#       copy the unroot binary, the preload and the fallback tracer beside
#       it (../lib/unroot/libunroot.so, unroot-ptrace when built) and the
#       catalogue DATADIR (as ../share/unroot) into DEST, laid out as
#       installed so that the copy finds them; prints DEST/bin/unroot
#   stage_files DEST FILE...
#       copy FILEs into DEST, keeping their names and modes; prints the
#       copy of the first

stage_mkdir() {
	mkdir -p "$1"
	chmod 755 "$1"
}

stage_unroot() {
	_bin=$(dirname "$1")
	stage_mkdir "$2"
	stage_mkdir "$2/bin"
	stage_mkdir "$2/lib"
	stage_mkdir "$2/lib/unroot"
	cp -p "$1" "$2/bin/unroot"
	cp -p "$_bin/../lib/unroot/libunroot.so" "$2/lib/unroot/"
	# the fallback tracer, for static programs, when it was built
	[ ! -f "$_bin/../lib/unroot/unroot-ptrace" ] ||
		cp -p "$_bin/../lib/unroot/unroot-ptrace" "$2/lib/unroot/"
	if [ -n "${3:-}" ]; then
		stage_mkdir "$2/share"
		cp -R "$3" "$2/share/unroot"
		chmod -R a+rX "$2/share/unroot"
	fi
	echo "$2/bin/unroot"
}

stage_files() {
	_dest=$1
	shift
	stage_mkdir "$_dest"
	for _f in "$@"; do
		cp -p "$_f" "$_dest/"
	done
	echo "$_dest/$(basename "$1")"
}
