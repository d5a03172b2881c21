# read the configuration, write the state: what a service does at start
set -e
conf=$(cat /etc/svc/svc.conf)
echo "$conf" > /var/lib/svc/state
echo "svc: wrote /var/lib/svc/state"
