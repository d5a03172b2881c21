/*
 * plan_ports.c - the inet ports the workload bound (struct plan's ports),
 * and the advice for a port below 1024.
 *
 * Invariants:
 * - Each port is listed once, with the first bind that asked for it (a
 *   failed bind counts: it is the port the workload wants).  It is
 *   loopback while every bind of it named a loopback address (127.0.0.0/8,
 *   ::1, ::ffff:127.x.y.z): reachable from inside the pod only, such as
 *   caddy's admin endpoint, so no containerPort.
 * - A port below 1024 is advice, never a capability: a non-root user does
 *   not keep NET_BIND_SERVICE in its effective set, and no_new_privs
 *   (allowPrivilegeEscalation: false) blocks file capabilities.  The way
 *   is a port of 1024 or above, or net.ipv4.ip_unprivileged_port_start at
 *   or below the port.  Docker sets that sysctl to 0 in a container, so a
 *   run under Docker shows no denial: the advice comes from the bind
 *   recorded, not from an error.
 */
#include <stdlib.h>
#include <string.h>

#include "plan_private.h"

/* Whether addr (as inet_ntop writes it) is a loopback address. */
static bool loopback(const char *addr)
{
	return addr && (!strncmp(addr, "127.", 4) || !strcmp(addr, "::1") ||
			!strncmp(addr, "::ffff:127.", 11));
}

void planner_add_port(struct planner *p, const char *addr, unsigned port,
		      const struct evidence *ev)
{
	struct plan *pl = p->plan;

	if (!port)
		return; /* an ephemeral port: the kernel chose it */
	for (size_t i = 0; i < pl->nports; i++)
		if (pl->ports[i].port == port) {
			pl->ports[i].loopback &= loopback(addr);
			return;
		}
	pl->ports = xrealloc(pl->ports, (pl->nports + 1) * sizeof *pl->ports);
	pl->ports[pl->nports].port = port;
	pl->ports[pl->nports].loopback = loopback(addr);
	pl->ports[pl->nports].addr = xstrdup(addr ? addr : "");
	evidence_copy(&pl->ports[pl->nports].ev, ev);
	pl->nports++;
	if (port >= 1024)
		return;
	if (!pl->low_port || port < pl->low_port)
		pl->low_port = port;
	plan_note(
	    p, xasprintf("%s binds port %u: below 1024 a non-root user needs "
			 "net.ipv4.ip_unprivileged_port_start <= %u; Docker "
			 "sets it to 0 (so a run under Docker shows no "
			 "denial), Kubernetes and hosts keep 1024.  Move the "
			 "port to 1024 or above, or set the pod sysctl "
			 "net.ipv4.ip_unprivileged_port_start=%u (the k8s "
			 "and pod formats do); not NET_BIND_SERVICE, which a "
			 "non-root user does not keep",
			 *ev->program ? ev->program : "the workload", port,
			 port, port));
}

void planner_add_net(struct planner *p, const struct trace_net *n)
{
	struct evidence ev = {
	    .program = (char *)trace_program(n->proc, ""),
	    .op = (char *)"bind",
	    .errname = n->errname,
	    .pid = n->pid,
	};
	char *where = strchr(n->addr, ':')
			  ? xasprintf("[%s]:%u", n->addr, n->port)
			  : xasprintf("%s:%u", n->addr, n->port);

	ev.path = where;
	planner_add_port(p, n->addr, n->port, &ev);
	free(where);
}

void plan_ports_free(struct plan *pl)
{
	for (size_t i = 0; i < pl->nports; i++) {
		free(pl->ports[i].addr);
		evidence_free(&pl->ports[i].ev);
	}
	free(pl->ports);
}
