/*
 * layerlist.c - the changes of a stopped container's layer as
 * cli/overlaydiff.c reads them from its overlay2 directories, one
 * "KIND PATH" line each, sorted: layer.sh compares them with `docker diff`.
 * Exits 3 when the directories cannot say (overlaydiff.h).
 *
 * usage: layerlist CID
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "overlaydiff.h"

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct layer_change *)a)->path,
		      ((const struct layer_change *)b)->path);
}

int main(int argc, char **argv)
{
	struct layer_change *v;
	size_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: layerlist CID\n");
		return 2;
	}
	if (!overlay_layer_changes(argv[1], &v, &n))
		return 3;
	if (n)
		qsort(v, n, sizeof *v, by_path);
	for (size_t i = 0; i < n; i++) {
		printf("%c %s\n", v[i].kind, v[i].path);
		free(v[i].path);
	}
	free(v);
	return 0;
}
