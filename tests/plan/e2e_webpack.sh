#!/bin/sh
# e2e_webpack.sh - webpack 5, from npm, builds an application with its
# filesystem cache on.  It makes node_modules/.cache, which find-cache-dir's
# entry names, then its own cache/webpack in it, which that entry's
# CACHE_DIR does not move: the plan must name webpack's own setting
# (cache.cacheDirectory), set no CACHE_DIR and not open node_modules to the
# user.  With that setting and the plan applied, the user's run works with
# no denial (webpack only warns when it cannot write its cache, so a
# denial is the sign) and writes no byte under node_modules.  Installed on
# the host with npm ci from the committed lockfile (tests/plan/webpack);
# 77 when npm or its registry is missing.
set -eu
. "$(dirname "$0")/lib_e2e.sh"

A=$IMG/app
fixdir "$A" "$A/src"
npm_app "$A" webpack
echo 'console.log("hello")' >"$A/src/index.js"
echo "module.exports = { mode: 'production', cache: { type: 'filesystem' } };" \
	>"$A/webpack.config.js"
chmod -R a+rX,go-w "$A"
chown -R 0:0 "$A"

WEBPACK="cd $A && node_modules/.bin/webpack"
profile sh -c "$WEBPACK"
[ -d "$A/node_modules/.cache/webpack" ] || fail "webpack made no cache in node_modules/.cache/webpack"
rm -rf "$A/node_modules/.cache" "$A/dist"
make_plan
grep -q "^# note: webpack 5.*cacheDirectory" "$S/plan.sh" ||
	fail "the plan does not give webpack's cache.cacheDirectory"
[ -z "$(plan_env_value CACHE_DIR)" ] ||
	fail "the plan sets CACHE_DIR, which webpack's cache does not read"
grep "node_modules" "$S/plan.sh" | grep -qv '^#' && fail "the plan changes node_modules"
apply_plan
expect_changed "$A/dist"
# the setting the plan gives, as the image's author adds it (a directory
# of the scratch tree the user may write in, for /tmp)
mkdir -m 1777 "$S/tmp"
echo "module.exports = { mode: 'production', cache: { type: 'filesystem', cacheDirectory: '$S/tmp/webpack-cache' } };" \
	>"$A/webpack.config.js"
run_user sh -c "$WEBPACK"
[ ! -e "$A/node_modules/.cache" ] || fail "the user's run wrote in node_modules"
[ -d "$S/tmp/webpack-cache" ] || fail "the user's run left no cache in cacheDirectory"
[ -f "$A/dist/main.js" ] || fail "the user's build wrote no dist/main.js"
echo "PASS $E2E_NAME"
