#!/bin/sh
# A backend on 127.0.0.1:8080 (the stock VCL's), varnishd in front of it
# on port 6081 as the unit starts it, one page fetched through varnish:
# the exit status says whether the service worked.
set -eu
perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1:8080",
		Listen => 5, ReuseAddr => 1) or die "backend: $!";
	while (my $c = $s->accept) {
		while (<$c>) { last if /^\r?$/ }
		print $c "HTTP/1.0 200 OK\r\nContent-Length: 16\r\n\r\nfrom the backend";
		close $c;
	}' &
backend=$!
varnishd -F -a :6081 -f /etc/varnish/default.vcl -s malloc,64m &
varnish=$!
page=$(http-get 6081 /) || { echo "no page: $page"; exit 1; }
kill "$varnish" "$backend"
wait "$varnish" || true
echo "$page" | grep -q "from the backend" || { echo "unexpected: $page"; exit 1; }
echo "varnish: ok"
