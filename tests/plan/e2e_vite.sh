#!/bin/sh
# e2e_vite.sh - Vite, from npm, pre-bundles an application's dependencies
# (vite optimize, as its dev server does at start) and builds it (vite
# build, whose esbuild is a static Go program the fallback tracer
# follows).  Vite keeps the pre-bundled dependencies in node_modules/.vite
# beside the application's package.json, which is installed code, and
# reads no variable for it: the plan must not open node_modules to the
# user but give Vite's own setting (the catalogue's vite entry: cacheDir
# in vite.config.js).  With that setting and the plan applied, the user's
# run works and writes no byte under node_modules.  Installed on the host
# with npm ci from the committed lockfile (tests/plan/vite); 77 when npm
# or its registry is missing.
set -eu
. "$(dirname "$0")/lib_e2e.sh"

A=$IMG/app
fixdir "$A" "$A/src"
npm_app "$A" vite
cat >"$A/index.html" <<'HTML'
<!doctype html><html><body><script type="module" src="/src/main.js"></script></body></html>
HTML
cat >"$A/src/main.js" <<'JS'
import { nanoid } from 'nanoid';
document.body.textContent = `hello ${nanoid()}`;
JS
chmod -R a+rX,go-w "$A"
chown -R 0:0 "$A"

VITE="cd $A && node_modules/.bin/vite optimize --force && node_modules/.bin/vite build"
profile sh -c "$VITE"
[ -d "$A/node_modules/.vite/deps" ] || fail "vite pre-bundled nothing in node_modules/.vite"
"$UNROOT" report "$S/trace-root" | grep -q "^Seen by the fallback tracer.*esbuild" ||
	fail "esbuild (a static program) was not followed"
rm -rf "$A/node_modules/.vite" "$A/dist"
make_plan
grep -q "^# note: Vite.*cacheDir: '/tmp/vite' in vite.config.js" "$S/plan.sh" ||
	fail "the plan does not give Vite's cacheDir setting"
grep "node_modules" "$S/plan.sh" | grep -qv '^#' && fail "the plan changes node_modules"
apply_plan
# vite build makes dist, the first missing component: pre-created
expect_changed "$A/dist"
# the setting the plan gives, as the image's author adds it (a directory
# of the scratch tree the user may write in, for /tmp)
mkdir -m 1777 "$S/tmp"
echo "export default { cacheDir: '$S/tmp/vite' };" >"$A/vite.config.js"
run_user sh -c "$VITE"
[ ! -e "$A/node_modules/.vite" ] || fail "the user's run wrote in node_modules"
[ -d "$S/tmp/vite/deps" ] || fail "the user's run pre-bundled nothing in cacheDir"
[ -f "$A/dist/index.html" ] || fail "the user's build wrote no dist/index.html"
echo "PASS $E2E_NAME"
