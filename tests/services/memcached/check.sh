#!/bin/sh
# Start memcached (it daemonizes) on a unix socket, set and get a key
# through it, stop it: the exit status says whether the service worked.
set -eu
memcached -u memcache -d -s /tmp/mc.sock -P /run/memcached/memcached.pid
i=0
while [ ! -S /tmp/mc.sock ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
perl -MIO::Socket::UNIX -e '
my $s = IO::Socket::UNIX->new(Peer => "/tmp/mc.sock") or die "connect: $!";
print $s "set k 0 0 2\r\nok\r\nget k\r\nquit\r\n";
local $/; my $r = <$s>; $r =~ /VALUE k 0 2\r\nok/ or die "unexpected: $r";'
kill "$(cat /run/memcached/memcached.pid)"
echo "memcached: ok"
