#!/bin/sh
# e2e_jupyter.sh - Debian's Jupyter server, started as a notebook image
# starts it and asked through its API, then a cell run in a Python kernel
# (IPython) as a notebook client runs it (jupyter_client).  The server
# keeps its cookie secret and runtime files in ~/.local/share/jupyter; the
# kernel keeps its profile in ~/.ipython, where SQLite makes
# history.sqlite's journal on IPython's history thread, whose call site
# shows no Python package.  The plan must move both with the
# programs' own variables (JUPYTER_DATA_DIR, IPYTHONDIR: the catalogue's
# jupyter and ipython entries), the journal with its directory, and need
# no HOME.  The user's first run then starts from what the plan made, and
# Jupyter migrates settings it did not migrate as root (see the round
# below); with the second plan the user's server and kernel run with no
# denial.
set -eu
. "$(dirname "$0")/lib_e2e.sh"
command -v jupyter-server >/dev/null 2>&1 || skip "jupyter-server not installed"
"$PY" -c 'import ipykernel' 2>/dev/null || skip "ipykernel not installed"

A=$IMG/app
fixdir "$A"
cat >"$A/run.sh" <<'SH'
#!/bin/sh
# start the server and ask its API, stop it; then run code in a Python
# kernel as a notebook client does (jupyter_client): the exit status says
# whether both worked
set -eu
cd "$(dirname "$0")"
url=http://127.0.0.1:18931/api
jupyter-server --no-browser --allow-root --ip 127.0.0.1 --port 18931 \
	--ServerApp.port_retries=0 --ServerApp.token=t0k --notebook-dir . &
pid=$!
i=0
until curl -sf "$url/status?token=t0k" >/dev/null 2>&1 || [ $i -ge 150 ]; do
	sleep 0.2; i=$((i + 1))
done
up=0
curl -sf "$url/contents?token=t0k" >/dev/null && up=1
kill "$pid"
wait "$pid" || true
[ $up = 1 ]
python3 client.py
SH
cat >"$A/client.py" <<'PY'
"""Run one cell in a new Python kernel and stop it; exit 1 unless ok."""
from jupyter_client.manager import start_new_kernel

km, kc = start_new_kernel(kernel_name="python3")
reply = kc.execute_interactive("print(sum(range(10)))", timeout=60)
kc.stop_channels()
km.shutdown_kernel()
ok = reply["content"]["status"] == "ok"
del kc, km
raise SystemExit(0 if ok else 1)
PY
chmod 755 "$A/run.sh"

profile "$A/run.sh"
[ -d "$IMG/root/.ipython/profile_default" ] || fail "the kernel made no profile in ~/.ipython"
make_plan
[ "$(plan_env_value JUPYTER_DATA_DIR)" = /var/cache/nonroot/jupyter ] ||
	fail "the plan does not move Jupyter's data with JUPYTER_DATA_DIR"
[ "$(plan_env_value IPYTHONDIR)" = /var/cache/nonroot/ipython ] ||
	fail "the plan does not move the kernel's profile with IPYTHONDIR"
"$PY" -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["needs_home"])' \
	"$S/plan.json" || fail "the plan makes a HOME: a write was not moved"
apply_plan
# nothing of the image changes: the two directories are made below
# /var/cache, outside it
expect_changed
# a round as harden's: with IPYTHONDIR made, Jupyter's first start
# migrates IPython's settings into its config directory (~/.jupyter),
# which root's run, whose ~/.ipython did not exist yet, never did.  Its
# makedirs is refused at HOME itself (it tries no mkdir of ~/.jupyter
# first, so no record names the config directory): the plan from both
# traces makes the user's HOME and keeps both variables
user_run "$S/trace-round1" "$A/run.sh" &&
	fail "the first run as the user needed nothing new: this test no longer sees the migration"
make_plan "$S/trace-round1"
[ "$(plan_env_value HOME)" = /home/nonroot ] ||
	fail "the second plan does not make the user's HOME"
[ "$(plan_env_value IPYTHONDIR)" = /var/cache/nonroot/ipython ] ||
	fail "the second plan lost IPYTHONDIR"
apply_plan
expect_changed
run_user "$A/run.sh"
[ -f /var/cache/nonroot/ipython/profile_default/history.sqlite ] ||
	fail "the user's kernel kept no history in IPYTHONDIR"
echo "PASS $E2E_NAME"
