#!/usr/bin/perl
# What `docker push` and `docker pull` ask of a registry at 127.0.0.1:5000,
# in plain HTTP: upload a blob (POST an upload, PUT its bytes with their
# digest), put a manifest naming it, then get the manifest and the blob
# back.  Exits 0 only when both come back as they went in.  The blob's
# digest is written here (perl-base has no SHA-256).
use strict;
use IO::Socket::INET;

my $blob = "unroot\n";
my $digest = 'sha256:dc9e94ce745576e784804d293f0ef9ec15e66a9127738740deb68c96cd5adfe5';
my $v2 = 'application/vnd.docker.distribution.manifest.v2+json';
my $manifest = '{"schemaVersion":2,"mediaType":"' . $v2 . '",'
	. '"config":{"mediaType":"application/vnd.docker.container.image.v1+json",'
	. '"size":7,"digest":"' . $digest . '"},'
	. '"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip",'
	. '"size":7,"digest":"' . $digest . '"}]}';

# request(METHOD, PATH, BODY, TYPE) -> (STATUS, HEADERS, BODY); a GET
# accepts what docker pull accepts (else the registry converts to schema 1)
sub request {
	my ($method, $path, $body, $type) = @_;
	my $s = IO::Socket::INET->new('127.0.0.1:5000') or return (0, '', '');
	my $req = "$method $path HTTP/1.0\r\nHost: 127.0.0.1:5000\r\n";
	$req .= "Content-Type: $type\r\n" if defined $type;
	$req .= "Accept: $v2\r\n" if $method eq 'GET';
	$req .= 'Content-Length: ' . length($body // '') . "\r\n\r\n" . ($body // '');
	print $s $req;
	local $/;
	my $resp = <$s> // '';
	my ($head, $content) = split /\r\n\r\n/, $resp, 2;
	my ($status) = $head =~ m{^HTTP/\S+ (\d+)};
	return ($status // 0, $head, $content // '');
}

sub need {
	my ($ok, $what) = @_;
	$ok or die "check-registry-client: $what\n";
}

my ($st) = (0);
for (1 .. 100) {
	($st) = request('GET', '/v2/');
	last if $st == 200;
	select(undef, undef, undef, 0.1);
}
need($st == 200, "the registry did not answer /v2/ ($st)");
my ($up, $head) = request('POST', '/v2/unroot/check/blobs/uploads/', '');
need($up == 202, "POST an upload: $up");
my ($loc) = $head =~ m{^Location: (\S+)}mi;
need(defined $loc, 'the upload has no Location');
$loc =~ s{^https?://[^/]+}{};
my $sep = $loc =~ /\?/ ? '&' : '?';
my ($put) = request('PUT', "$loc${sep}digest=$digest", $blob,
	'application/octet-stream');
need($put == 201, "PUT the blob: $put");
my ($mput) = request('PUT', '/v2/unroot/check/manifests/v1', $manifest, $v2);
need($mput == 201, "PUT the manifest: $mput");
my ($mget, undef, $mbody) = request('GET', '/v2/unroot/check/manifests/v1');
need($mget == 200 && $mbody eq $manifest, "GET the manifest: $mget");
my ($bget, undef, $bbody) = request('GET', "/v2/unroot/check/blobs/$digest");
need($bget == 200 && $bbody eq $blob, "GET the blob: $bget");
exit 0;
