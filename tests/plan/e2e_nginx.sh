#!/bin/sh
# e2e_nginx.sh - nginx on loopback with its pid file, error and access
# logs and temp paths in the image tree (/run, /var/log/nginx,
# /var/lib/nginx).  nginx unlinks its pid file at exit, and creates its
# temp directories at start.  The plan must let uid 1001 run it with zero
# denials, without owning the config or /var.
set -eu
. "$(dirname "$0")/lib_e2e.sh"
command -v nginx >/dev/null 2>&1 || skip "nginx not installed"
command -v curl >/dev/null 2>&1 || skip "curl not installed"

PORT=$((18000 + $$ % 1000))
fixdir "$IMG/etc" "$IMG/etc/nginx" "$IMG/run" "$IMG/var" "$IMG/var/log" \
	"$IMG/var/log/nginx" "$IMG/var/lib" "$IMG/var/lib/nginx" "$IMG/run/nginx" \
	"$IMG/var/www" "$IMG/app"
echo 'hello from nginx' >"$IMG/var/www/index.html"
cat >"$IMG/etc/nginx/nginx.conf" <<EOF2
worker_processes 1;
pid $IMG/run/nginx/nginx.pid;
error_log $IMG/var/log/nginx/error.log;
events { worker_connections 16; }
http {
	access_log $IMG/var/log/nginx/access.log;
	client_body_temp_path $IMG/var/lib/nginx/body;
	proxy_temp_path $IMG/var/lib/nginx/proxy;
	fastcgi_temp_path $IMG/var/lib/nginx/fastcgi;
	uwsgi_temp_path $IMG/var/lib/nginx/uwsgi;
	scgi_temp_path $IMG/var/lib/nginx/scgi;
	server {
		listen 127.0.0.1:$PORT;
		root $IMG/var/www;
	}
}
EOF2
cat >"$IMG/app/run.sh" <<EOF2
#!/bin/sh
set -e
conf=$IMG/etc/nginx/nginx.conf
nginx -e $IMG/var/log/nginx/error.log -c "\$conf" -g 'daemon off;' &
pid=\$!
i=0
until curl -fsS http://127.0.0.1:$PORT/ 2>/dev/null; do
	i=\$((i + 1)); [ \$i -lt 100 ] || { kill \$pid; exit 1; }
	sleep 0.1
done
nginx -e $IMG/var/log/nginx/error.log -c "\$conf" -s quit
wait \$pid
EOF2
chmod 644 "$IMG/etc/nginx/nginx.conf" "$IMG/var/www/index.html"
chmod 755 "$IMG/app/run.sh"

profile "$IMG/app/run.sh"
make_plan
# nginx as root gives its temp dirs to nobody: one note, not one per dir
[ "$(grep -c '^# note: nginx, running as root, gives ' "$S/plan.sh")" -le 1 ] ||
	fail "more than one chown note for nginx"
rm -rf "$IMG/var/lib/nginx"/* "$IMG/run/nginx"/*
rm -f "$IMG/var/log/nginx"/*
apply_plan
expect_changed "$IMG/run/nginx" "$IMG/var/log/nginx/access.log" \
	"$IMG/var/log/nginx/error.log" "$IMG/var/lib/nginx/body" \
	"$IMG/var/lib/nginx/fastcgi" "$IMG/var/lib/nginx/proxy" \
	"$IMG/var/lib/nginx/scgi" "$IMG/var/lib/nginx/uwsgi"
run_user "$IMG/app/run.sh"
assert_stat "$IMG/run" "0:0 755"
assert_stat "$IMG/var/lib" "0:0 755"
assert_stat "$IMG/etc/nginx/nginx.conf" "0:0 644"
echo "PASS $E2E_NAME"
