#!/bin/sh
# e2e_git.sh - git in the workload's own directory: `git init` of
# /srv/repo (created by the workload below a root-owned /srv), a file
# added and committed.  git only reads ~/.gitconfig and ~/.config/git
# here (the catalogue's git entry is for `git config --global`, which a
# workload like this does not run), so the plan must pre-create
# /srv/repo for the user, nothing else: no grant or redirect under HOME,
# /srv stays root-owned.
set -eu
. "$(dirname "$0")/lib_e2e.sh"
command -v git >/dev/null 2>&1 || skip "git not installed"

fixdir "$IMG/srv" "$IMG/app"
cat >"$IMG/app/commit.sh" <<EOF2
#!/bin/sh
set -eu
git init -q "$IMG/srv/repo"
cd "$IMG/srv/repo"
echo "run by \$(id -u)" >>notes.txt
git add notes.txt
git -c user.name=e2e -c user.email=e2e@example.invalid commit -q -m "run by \$(id -u)"
git log --oneline
EOF2
chmod 755 "$IMG/app/commit.sh"

profile "$IMG/app/commit.sh"
[ -d "$IMG/srv/repo/.git" ] || fail "git init made no repository"
find "$IMG/root" -mindepth 1 | grep -q . && fail "git wrote under root's HOME: $(find "$IMG/root" -mindepth 1)"
make_plan
grep -q '^GIT_CONFIG_GLOBAL=\|^HOME=\|^XDG_' "$S/plan.env" &&
	fail "the plan redirects something under HOME that git never wrote"
# the image as built: no repository yet
rm -rf "$IMG/srv/repo"
apply_plan
expect_changed "$IMG/srv/repo"
assert_stat "$IMG/srv/repo" "1001:1001 755"
run_user "$IMG/app/commit.sh"
[ "$(git -c safe.directory="*" -C "$IMG/srv/repo" log --format=%s)" = "run by $E2E_UID" ] ||
	fail "the commit as uid $E2E_UID is missing"
assert_stat "$IMG/srv" "0:0 755"
echo "PASS $E2E_NAME"
