#!/bin/sh
# e2e_supervisord.sh - the seed article's scenario 3, supervisord: its log,
# pid file and unix socket, at explicit paths in the image tree
# (/var/log/supervisor, /run), started with -n, queried with supervisorctl,
# shut down.  The pid file and socket are removed at exit, so the plan
# must own the directories that hold them (or pre-create a directory),
# never /run's parent or the config.
set -eu
. "$(dirname "$0")/lib_e2e.sh"
command -v supervisord >/dev/null 2>&1 || skip "supervisor not installed"

fixdir "$IMG/etc" "$IMG/etc/supervisor" "$IMG/run" "$IMG/var" "$IMG/var/log" \
	"$IMG/app" "$IMG/var/log/supervisor" "$IMG/run/supervisor"
cat >"$IMG/etc/supervisor/supervisord.conf" <<EOF2
[unix_http_server]
file=$IMG/run/supervisor/supervisor.sock

[supervisord]
logfile=$IMG/var/log/supervisor/supervisord.log
pidfile=$IMG/run/supervisor/supervisord.pid
childlogdir=$IMG/var/log/supervisor
nodaemon=true

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$IMG/run/supervisor/supervisor.sock

[program:sleeper]
command=/bin/sleep 30
startsecs=1
EOF2
cat >"$IMG/app/run.sh" <<EOF2
#!/bin/sh
conf=$IMG/etc/supervisor/supervisord.conf
supervisord -c "\$conf" -n &
pid=\$!
i=0
until supervisorctl -c "\$conf" status sleeper 2>/dev/null | grep -q RUNNING; do
	i=\$((i + 1)); [ \$i -lt 100 ] || { kill \$pid; exit 1; }
	sleep 0.1
done
supervisorctl -c "\$conf" status
supervisorctl -c "\$conf" shutdown
wait \$pid
EOF2
chmod 644 "$IMG/etc/supervisor/supervisord.conf"
chmod 755 "$IMG/app/run.sh"

profile "$IMG/app/run.sh"
make_plan
# the catalogue's option, though the grants left are the socket's and the
# log's directories (supervisor.sock.PID and the child logs match no pattern)
grep -q '^# note: supervisord: its own option avoids this: .*pidfile=' "$S/plan.sh" ||
	fail "the plan lost supervisord's own option"
# the image as built: without what the root run left behind
rm -f "$IMG/var/log/supervisor"/* "$IMG/run/supervisor"/*
apply_plan
expect_changed "$IMG/run/supervisor" "$IMG/var/log/supervisor"
run_user "$IMG/app/run.sh"
assert_stat "$IMG/run" "0:0 755"
assert_stat "$IMG/var/log" "0:0 755"
assert_stat "$IMG/etc/supervisor/supervisord.conf" "0:0 644"
echo "PASS $E2E_NAME"
