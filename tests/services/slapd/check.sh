#!/bin/sh
# Start slapd as its init script does, search its root DSE and the entry
# its package made over TCP, ask who we are over its ldapi socket (where
# it names the client by its uid), stop it: the exit status says whether
# the directory worked.
set -eu
slapd -h "ldap://127.0.0.1:3890/ ldapi:///" -u openldap -g openldap \
	-F /etc/ldap/slapd.d
i=0
until ldapsearch -x -H ldap://127.0.0.1:3890 -b "" -s base namingContexts \
	>/tmp/dse 2>&1 || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
grep -q 'namingContexts: dc=nodomain' /tmp/dse || { cat /tmp/dse; exit 1; }
# the suffix's entry the package made is in the database (an empty
# /var/lib/ldap would start over with none)
ldapsearch -x -LLL -H ldap://127.0.0.1:3890 -b dc=nodomain -s base o |
	grep -q '^o: nodomain'
# over the socket, slapd knows the client by its uid and gid (whoever runs this)
ldapwhoami -Q -Y EXTERNAL -H ldapi:/// | grep -q "uidNumber=$(id -u),"
kill "$(cat /run/slapd/slapd.pid)"
echo "slapd: ok"
