#!/bin/sh
# e2e_fontconfig.sh - fontconfig's per-user cache: fc-list loads a font
# directory of the image that has no cache yet, and fontconfig writes one
# to ~/.cache/fontconfig (the xdg <cachedir>).  The test's fonts.conf
# (FONTCONFIG_FILE) lists only the image's font directory and the xdg
# cache dir, so the profiling run as root never writes the host's
# /var/cache/fontconfig.  The plan must redirect the cache with
# XDG_CACHE_HOME (the fontconfig-user entry), grant nothing on the
# image's fonts, and the user's run must write its cache there.
set -eu
. "$(dirname "$0")/lib_e2e.sh"
command -v fc-list >/dev/null 2>&1 || skip "fontconfig not installed"
font=$(fc-list -f '%{file}\n' 2>/dev/null | grep -m 1 '\.ttf$' || true)
[ -n "$font" ] || skip "no TrueType font installed"

fixdir "$IMG/etc" "$IMG/etc/fonts" "$IMG/usr" "$IMG/usr/share" \
	"$IMG/usr/share/fonts"
cp "$font" "$IMG/usr/share/fonts/"
chmod 644 "$IMG/usr/share/fonts/"*
cat >"$IMG/etc/fonts/fonts.conf" <<EOF2
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir>$IMG/usr/share/fonts</dir>
  <cachedir prefix="xdg">fontconfig</cachedir>
</fontconfig>
EOF2
chmod 644 "$IMG/etc/fonts/fonts.conf"
E2E_ENV="FONTCONFIG_FILE=$IMG/etc/fonts/fonts.conf"

profile fc-list
ls "$IMG/root/.cache/fontconfig/"*.cache-* >/dev/null 2>&1 ||
	fail "fontconfig wrote no cache under root's HOME: nothing to plan"
make_plan
xdg=$(plan_env_value XDG_CACHE_HOME)
[ -n "$xdg" ] || fail "the plan does not redirect fontconfig with XDG_CACHE_HOME"
grep -q 'fontconfig' "$S/plan.env" "$S/plan.sh" ||
	fail "the plan does not name fontconfig as the writer"
apply_plan
expect_changed
run_user fc-list
ls "$xdg/fontconfig/"*.cache-* >/dev/null 2>&1 ||
	fail "fontconfig did not write its cache in $xdg/fontconfig"
assert_stat "$IMG/usr/share/fonts" "0:0 755"
assert_stat "$IMG/root" "0:0 700"
echo "PASS $E2E_NAME"
