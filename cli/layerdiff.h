/*
 * layerdiff.h - the cross-check of a profiled container: the changes of
 * its layer (`docker diff`, read once the container has stopped) compared
 * with the trace.  Every changed path that no event explains was written
 * by something the tracer did not see (a raw system call, io_uring, a
 * program neither tracer could follow); it is kept in trace.json's
 * "layer" (schema/SCHEMA.md) with its state and its directory's, for the
 * report's warnings and the plan's candidates.
 *
 * The list is `docker diff`'s: it works with every storage driver
 * (overlay2, fuse-overlayfs, btrfs, zfs, vfs, the containerd
 * snapshotters), with a remote or rootless daemon, and without reading
 * /var/lib/docker as root; it turns whiteouts and opaque directories into
 * deletions, and lists the layer against the image plus Docker's init
 * layer, so /etc/hostname, /etc/hosts and /etc/resolv.conf made by Docker
 * are not in it.  Where the layer is an overlay2 directory this machine
 * can read, the same list is read from the directories (overlaydiff.h,
 * docs/layer.md), which spares the 0.4 s `docker diff` takes.
 *
 * Not reported (they are no one's unseen write): the mount points the
 * runtime creates (/dev, /proc, /sys, /etc/hostname, /etc/hosts,
 * /etc/resolv.conf, the tracer's payload and log directories, the run's
 * binds, volumes and tmpfs mounts and its -w directory, and what is below
 * them), and a directory listed as changed only because a path below it
 * is listed.  Volumes, binds and tmpfs mounts are not in the layer at
 * all: they are named as not covered.
 */
#ifndef UNROOT_LAYERDIFF_H
#define UNROOT_LAYERDIFF_H

#include <jansson.h>

#include "container.h"
#include "trace.h"

/*
 * Compare the layer of container cid (stopped, not yet removed) with
 * trace t, the trace of its run c.  Returns trace.json's "layer" object:
 * on failure it holds only "error" and the mounts not covered.
 */
json_t *layer_check(const struct container *c, const char *cid,
		    struct trace *t);

#endif
