#!/bin/sh
# e2e_node_cache.sh - nyc, from npm, run over a script: like babel-loader,
# ava and many npm packages it keeps its cache in the application's
# node_modules/.cache (find-cache-dir), which is installed code, and writes
# its coverage in .nyc_output in the working directory, which it removes
# and makes anew when it runs again.  The plan must redirect the cache
# with the convention's CACHE_DIR (the catalogue's find-cache-dir entry)
# instead of opening node_modules to the user, and let the user remove
# .nyc_output; then the user's run works and writes no byte under
# node_modules.  Installed on the host with npm ci from the
# committed lockfile (tests/plan/node-cache); 77 when npm or its registry
# is missing.
set -eu
. "$(dirname "$0")/lib_e2e.sh"

fixdir "$IMG/app"
npm_app "$IMG/app" node-cache
echo 'console.log("sum", 1 + 1)' >"$IMG/app/app.js"
chmod -R a+rX,go-w "$IMG/app"
chown -R 0:0 "$IMG/app"

# twice, as a test suite is run again: nyc removes the .nyc_output it
# finds and makes it anew
NYC="cd $IMG/app && node_modules/.bin/nyc --silent node app.js"
profile sh -c "$NYC && $NYC"
[ -d "$IMG/app/node_modules/.cache/nyc" ] || fail "nyc made no cache in node_modules/.cache"
rm -rf "$IMG/app/node_modules/.cache" "$IMG/app/.nyc_output"
make_plan
[ "$(plan_env_value CACHE_DIR)" = /var/cache/nonroot/node-cache ] ||
	fail "the plan does not redirect find-cache-dir's cache with CACHE_DIR"
grep -q "node_modules" "$S/plan.sh" && grep "node_modules" "$S/plan.sh" | grep -qv '^#' &&
	fail "the plan changes node_modules"
apply_plan
# nyc's rerun removes .nyc_output from /app: owning /app is the least
# grant for that (a pre-created .nyc_output could not be removed)
expect_changed "$IMG/app"
[ -d /var/cache/nonroot/node-cache ] || fail "the plan made no CACHE_DIR"
run_user sh -c "$NYC && $NYC"
[ ! -e "$IMG/app/node_modules/.cache" ] || fail "the user's run wrote in node_modules"
ls /var/cache/nonroot/node-cache/nyc/*.js >/dev/null 2>&1 ||
	fail "the user's run left no cache in CACHE_DIR"
echo "PASS $E2E_NAME"
