#!/bin/sh
# e2e_matplotlib.sh - matplotlib's config and font cache under HOME.
# Profiled as root (HOME in the image tree) it writes ~/.config/matplotlib
# or ~/.cache/matplotlib; the plan must redirect it with MPLCONFIGDIR, and
# the user's run must then neither fail nor fall back to /tmp.
set -eu
. "$(dirname "$0")/lib_e2e.sh"
"$PY" -c 'import matplotlib' 2>/dev/null || skip "matplotlib not installed for $PY"

fixdir "$IMG/app"
cat >"$IMG/app/plot.py" <<'PY'
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
fig = plt.figure()
plt.plot([1, 2, 3])
print("cache dir:", matplotlib.get_cachedir())
PY
chmod 644 "$IMG/app/plot.py"

profile "$PY" "$IMG/app/plot.py"
make_plan
mpl=$(plan_env_value MPLCONFIGDIR)
[ -n "$mpl" ] || fail "the plan does not redirect matplotlib with MPLCONFIGDIR"
apply_plan
expect_changed
run_user "$PY" "$IMG/app/plot.py"
ls "$mpl"/fontlist-*.json >/dev/null 2>&1 || fail "matplotlib did not write its cache in $mpl"
assert_stat "$IMG/root" "0:0 700"
echo "PASS $E2E_NAME"
