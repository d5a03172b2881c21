/*
 * realdirs.h - events under the paths where they land (realdirs.c): the
 * directory aliases (symlinked directories) a trace's resolved paths
 * show, learned event by event.
 */
#ifndef UNROOT_REALDIRS_H
#define UNROOT_REALDIRS_H

#include <stdbool.h>

#include "map.h"
#include "trace.h"

struct realdirs {
	struct map dirs; /* directory -> the directory it lands in */
};

/* Learn from ev, then ev under the paths where it lands: true and *out
 * filled (its `real` cleared when the path became it) when a path
 * changed, the new strings in own[] (the caller frees them); false when
 * ev stands as it is. */
bool realdirs_event(struct realdirs *r, const struct trace_event *ev,
		    struct trace_event *out, char *own[2]);
void realdirs_free(struct realdirs *r);

#endif
