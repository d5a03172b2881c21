# links.sh BIN HELPER root|uid1001 - a static program's writes through a
# symlinked directory (as Debian's /var/run is /run) are recorded with
# where they landed ("real"), as the preload records them: the planner
# and the container layer's cross-check read them there.  A write where
# no link moves it has no "real".
. "$(dirname "$0")/lib.sh"
USER=$1
[ -x "$T/bin/workload" ] || skip "workload was not built"
mkdir "$T/lands" "$T/rootdir"
ln -s lands "$T/alias"
chmod 755 "$T/rootdir"
A=$T/alias D=$T/rootdir RUN=""
if [ "$USER" = uid1001 ]; then
	chown 1001:1001 "$T/lands"
	RUN=as_user
fi
new_log "$([ "$USER" = uid1001 ] && echo 1001 || echo root)"
out=$(UNROOT_LOG=$T/log $RUN "$H" -- "$T/bin/workload" "$A" "$D" 2>&1) ||
	fail "status $?: $out"
echo "$out" | grep -q "workload: ok" || fail "the program failed: $out"
L=$T/lands
specs="real:bind=$A/sock>$L/sock"
for n in t0 t3 child; do
	specs="$specs real:mkdir=$A/$n>$L/$n real:open=$A/$n/f>$L/$n/f"
	specs="$specs real:rename=$A/$n/f>$L/$n/f real:unlink=$A/$n/g>$L/$n/g"
done
if [ "$USER" = uid1001 ]; then
	specs="$specs real:open=$D/newfile>"
else
	specs="$specs real:open=$D/newfile> real:mkdir=$D/newdir>"
fi
# shellcheck disable=SC2086 # one spec a word
expect $specs
say "ok"
