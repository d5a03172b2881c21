#!/usr/bin/perl
# control.pl SOCKET COOKIE - wait up to 20 s for tor's control socket and
# its cookie, authenticate with the cookie, print tor's answer to GETINFO
# version; exit 1 when tor never answered.
use strict;
use IO::Socket::UNIX;
my ($path, $cookie) = @ARGV;
for (1 .. 200) {
	my $s = -s $cookie && IO::Socket::UNIX->new(Peer => $path) or
		do { select(undef, undef, undef, 0.1); next };
	open(my $f, '<', $cookie) or die "$cookie: $!";
	binmode $f;
	my $hex = do { local $/; unpack('H*', <$f>) };
	print $s "AUTHENTICATE $hex\r\nGETINFO version\r\nQUIT\r\n";
	while (my $line = <$s>) {
		if ($line =~ /^250-version=/) { print $line; exit 0 }
		if ($line =~ /^[45]\d\d/) { print $line; exit 1 }
	}
	exit 1;
}
exit 1;
