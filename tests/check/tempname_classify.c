/*
 * tempname_classify.c - how docs/baseline.md measures the false positives
 * of the fallback detector (tempname.h): read names, one a line, and print
 * those the rules without evidence take for temporary, "TOKEN<tab>NAME",
 * with a count on stderr.
 *
 *   find / -xdev -printf '%f\n' | sort -u | tempname_classify
 */
#include <stdio.h>
#include <string.h>

#include "tempname.h"

int main(void)
{
	char line[4096];
	long n = 0, taken = 0;
	struct tn_token t;

	while (fgets(line, sizeof line, stdin)) {
		size_t len = strcspn(line, "\n");

		line[len] = 0;
		n++;
		if (!tempname_classify(line, len, 0, &t))
			continue;
		taken++;
		printf("%.*s\t%s\n", (int)t.len, line + t.start, line);
	}
	fprintf(stderr, "%ld of %ld names taken for temporary (%.2f%%)\n",
		taken, n, n ? 100.0 * (double)taken / (double)n : 0.0);
	return 0;
}
