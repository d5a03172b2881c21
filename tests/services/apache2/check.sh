#!/bin/sh
# Start apache2 with apache2ctl, fetch its default page over loopback
# (perl, which apache2 depends on), stop it: the exit status says whether
# the service worked.
set -eu
apache2ctl start
page=$(perl -MIO::Socket::INET -e '
	for (1 .. 100) {
		my $s = IO::Socket::INET->new("127.0.0.1:80") or
			do { select(undef, undef, undef, 0.1); next };
		print $s "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
		local $/; print <$s>; exit 0;
	}
	exit 1;')
apache2ctl stop
echo "$page" | grep -q "Apache2 Debian Default Page"
echo "apache2: ok"
