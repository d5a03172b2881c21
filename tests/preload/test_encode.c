/*
 * test_encode.c - unit tests of preload/encode.c's two hot paths, against
 * a plain reference: a number is the digits printf gives, and a string is
 * escaped exactly where JSON requires it, wherever the byte falls in the
 * encoder's 16- and 8-byte blocks and its tail.
 */
#include "check_main.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unroot.h"

/* ---- numbers ---- */

/* ur_put_u64(u) is printf's %llu and writes nothing past 20 bytes (a
 * plain check: ck_assert costs a system call, too many for this loop) */
static void digits_are_printfs(unsigned long long u)
{
	char want[32], got[40];
	bool ok = true;

	memset(got, '#', sizeof got);
	size_t n = (size_t)snprintf(want, sizeof want, "%llu", u);
	char *end = ur_put_u64(got, u);
	ok = (size_t)(end - got) == n && memcmp(got, want, n) == 0;
	for (size_t i = 20; i < sizeof got; i++)
		ok = ok && got[i] == '#';
	if (!ok)
		ck_abort_msg("%llu became %.*s", u, (int)(end - got), got);
}

START_TEST(test_decimal_digits_are_printfs_at_every_boundary)
{
	unsigned long long p = 1;

	for (int i = 0; i < 20; i++, p *= 10) {
		digits_are_printfs(p);
		digits_are_printfs(p - 1);
		digits_are_printfs(p + 1);
	}
	digits_are_printfs(0xffffffffULL);
	digits_are_printfs(0x100000000ULL);
	digits_are_printfs(0x100000001ULL);
	digits_are_printfs(ULLONG_MAX);
	digits_are_printfs(1796409603850179156ULL); /* a timestamp */
	digits_are_printfs(4200000000ULL * 100000000ULL);
	srandom(20);
	for (int i = 0; i < 200000; i++) {
		unsigned long long u = ((unsigned long long)random() << 33) ^
				       ((unsigned long long)random() << 2) ^
				       (unsigned long long)random();
		digits_are_printfs(u >> (random() % 64));
	}
}
END_TEST

START_TEST(test_signed_numbers_are_printfs)
{
	const long long v[] = {0,   -1,	       1,	  -9,
			       -10, LLONG_MIN, LLONG_MAX, -4294967296LL};
	char buf[64], want[64];
	struct jbuf j;

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		jb_init(&j, buf, sizeof buf);
		jb_int_(&j, "n", 1, v[i]);
		snprintf(want, sizeof want, "\"n\":%lld", v[i]);
		ck_assert_uint_eq(j.len, strlen(want));
		ck_assert(memcmp(buf, want, j.len) == 0);
	}
}
END_TEST

/* ---- strings ---- */

/* JSON's escaping of valid UTF-8 (or ASCII) s, byte by byte */
static size_t reference(const char *s, size_t n, char *out)
{
	size_t o = 0;

	out[o++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c == '\n') {
			o += (size_t)sprintf(out + o, "\\n");
		} else if (c == '\t') {
			o += (size_t)sprintf(out + o, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)sprintf(out + o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o++] = '"';
	return o;
}

static void escaped_as_reference(const char *s, size_t n)
{
	char buf[1024], want[1024];
	struct jbuf j;

	jb_init(&j, buf, sizeof buf);
	jb_value_str(&j, s, n);
	size_t wn = reference(s, n, want);
	if (j.len != wn || memcmp(buf, want, wn) != 0)
		ck_abort_msg("length %zu: got %.*s, want %.*s", n, (int)j.len,
			     buf, (int)wn, want);
}

START_TEST(test_every_byte_is_escaped_wherever_it_falls_in_a_block)
{
	char s[64] = {0};

	for (size_t n = 0; n <= 40; n++) {
		for (size_t i = 0; i < n; i++)
			s[i] = (char)('a' + i % 26);
		escaped_as_reference(s, n);
		for (size_t at = 0; at < n; at++) {
			for (int c = 1; c < 0x80; c++) {
				s[at] = (char)c;
				escaped_as_reference(s, n);
			}
			s[at] = (char)('a' + at % 26);
		}
	}
}
END_TEST

START_TEST(test_utf8_is_copied_and_other_bytes_become_hex)
{
	const char *utf8 = "/tmp/caf\xc3\xa9/\xe2\x82\xac-\xf0\x9f\x98\x80.txt";
	escaped_as_reference(utf8, strlen(utf8));

	char buf[256];
	struct jbuf j;
	const char bad[] = "/tmp/abcdefghijklmnop\xff/x";
	jb_init(&j, buf, sizeof buf);
	jb_value_str(&j, bad, sizeof bad - 1);
	ck_assert(j.len > 8 && memcmp(buf, "{\"hex\":", 7) == 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("encode");
	TCase *tc = test_case("encode_unit", NULL);
	tcase_add_test(tc, test_decimal_digits_are_printfs_at_every_boundary);
	tcase_add_test(tc, test_signed_numbers_are_printfs);
	tcase_add_test(tc,
		       test_every_byte_is_escaped_wherever_it_falls_in_a_block);
	tcase_add_test(tc, test_utf8_is_copied_and_other_bytes_become_hex);
	suite_add_tcase(s, tc);
	return s;
}
