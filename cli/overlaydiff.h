/*
 * overlaydiff.h - the changes of a stopped container's layer, read from
 * its overlay2 directories instead of asking `docker diff`, which takes
 * about 0.4 s even for a layer of one file (the daemon mounts the stopped
 * container's file system and its image's, and compares the two trees
 * whole).  The list is the one `docker diff` prints (docs/layer.md gives
 * the rules), so that layerdiff.c reads the same changes either way.
 *
 * It is read so only where the directories can say: the container's
 * GraphDriver is overlay2, its upper and lower directories are on this
 * machine and readable (a remote or rootless daemon's are not), and the
 * upper directory holds nothing the walk cannot read (a redirect or
 * metacopy attribute, which the kernel's redirect_dir and metacopy
 * features write, or user.overlay.* ones).  Anything else says false, and
 * the caller asks `docker diff`.
 */
#ifndef UNROOT_OVERLAYDIFF_H
#define UNROOT_OVERLAYDIFF_H

#include <stdbool.h>
#include <stddef.h>

/* One change as `docker diff` prints it: kind 'A', 'C' or 'D', and the
 * path in the container. */
struct layer_change {
	char kind;
	char *path;
};

/*
 * The changes of stopped container cid's layer into *out (*n of them,
 * the caller frees each path and the array); false, with nothing in *out,
 * when they cannot be read so (above).
 */
bool overlay_layer_changes(const char *cid, struct layer_change **out,
			   size_t *n);

/* The walk alone, for tests: upper against lowers[0..nlowers), the lower
 * layers top first.  False when a directory cannot be read or holds what
 * the native diff cannot read. */
bool overlay_walk(const char *upper, char *const *lowers, size_t nlowers,
		  struct layer_change **out, size_t *n);

#endif
