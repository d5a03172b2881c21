/*
 * harden_probe.c - whether a run of `unroot harden` did its work
 * (harden.h): the probe, a command run inside the running container
 * (--probe CMD through /bin/sh -c, else the image's HEALTHCHECK, CMD or
 * CMD-SHELL) after --probe-delay and retried until --probe-timeout, and
 * the verdict of a run as the user against the root run's.
 *
 * Invariants:
 * - The probe is not part of the workload: it runs by `docker exec` with
 *   LD_PRELOAD emptied (the preload is never loaded, so nothing it does
 *   reaches the trace; an image's own LD_PRELOAD is not applied to it
 *   either), as the container's user (root in the root run, the image's
 *   USER after).  Docker's own health check, which would run traced, is
 *   turned off in traced runs that probe (--no-healthcheck).
 * - A run as the user counts only when it does what the root run did: a
 *   probe that passed as root must pass, and a container that root ran
 *   until --stop-after must not have exited before it.  A probe that
 *   failed as root is said and never required of the user.
 * - The probe never stops the container early and never keeps it past
 *   its own deadline: with --stop-after the stop waits for the probe's
 *   end; a container that ends first fails the probe.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "harden.h"

#define PROBE_RETRY 1.0 /* seconds between a failed attempt and the next */

/* ---- which probe --------------------------------------------------------- */

/* The image's HEALTHCHECK as an argv (allocated, NULL-terminated), or
 * NULL when it has none (or NONE). */
static char **healthcheck_argv(const char *image)
{
	char *argv[] = {"docker",
			"image",
			"inspect",
			"--format",
			"{{json .Config.Healthcheck}}",
			(char *)image,
			NULL};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	json_t *hc = NULL, *test;
	const char *kind;
	char **v = NULL;
	size_t n = 0;

	if (!child_capture(argv, &out, &err))
		hc = json_loads(out.buf, JSON_DECODE_ANY, NULL);
	test = json_object_get(hc, "Test");
	kind = json_string_value(json_array_get(test, 0));
	if (kind && !strcmp(kind, "CMD-SHELL") && json_array_size(test) == 2) {
		v = xcalloc(4, sizeof *v);
		v[n++] = xstrdup("/bin/sh");
		v[n++] = xstrdup("-c");
		v[n++] = xstrdup(json_string_value(json_array_get(test, 1)));
	} else if (kind && !strcmp(kind, "CMD") && json_array_size(test) > 1) {
		v = xcalloc(json_array_size(test), sizeof *v);
		for (size_t i = 1; i < json_array_size(test); i++) {
			const char *s =
			    json_string_value(json_array_get(test, i));

			v[n++] = xstrdup(s ? s : "");
		}
	}
	json_decref(hc);
	sb_release(&out);
	sb_release(&err);
	return v;
}

int harden_probe_resolve(struct harden *h, const char *image)
{
	struct strbuf sb = STRBUF_INIT;

	if (h->probe) {
		h->probe_argv = xcalloc(4, sizeof *h->probe_argv);
		h->probe_argv[0] = xstrdup("/bin/sh");
		h->probe_argv[1] = xstrdup("-c");
		h->probe_argv[2] = xstrdup(h->probe);
	} else {
		h->probe_argv = healthcheck_argv(image);
		h->probe_health = h->probe_argv != NULL;
	}
	if (!h->probe_argv) {
		if (h->probe_delay || h->probe_timeout_given)
			warning("--probe-delay and --probe-timeout apply to a "
				"probe: give --probe CMD (%s has no "
				"HEALTHCHECK)",
				image);
		return 0;
	}
	for (int i = 0; h->probe_argv[i]; i++) {
		if (i)
			sb_addc(&sb, ' ');
		sb_adds(&sb, h->probe_argv[i]);
	}
	h->probe_text = sb_detach(&sb);
	printf("   probe%s: %s (after %ld s, retried for %ld s)\n",
	       h->probe_health ? " (the image's HEALTHCHECK)" : "",
	       h->probe_text, h->probe_delay, h->probe_timeout);
	return 0;
}

void harden_probe_free(struct harden *h)
{
	for (int i = 0; h->probe_argv && h->probe_argv[i]; i++)
		free(h->probe_argv[i]);
	free(h->probe_argv);
	free(h->probe_text);
}

/* ---- one probe during a run ---------------------------------------------- */

void probe_begin(struct probe_run *p, const struct harden *h, bool wanted,
		 const char *cname, int log_fd)
{
	memset(p, 0, sizeof *p);
	p->h = h;
	p->cname = cname;
	p->log_fd = log_fd;
	p->state = wanted && h->probe_argv ? PROBE_WAITING : PROBE_NONE;
	p->next = h->probe_delay;
	p->deadline = h->probe_delay + h->probe_timeout;
}

/* docker exec -e LD_PRELOAD= NAME PROBE..., its output in the log. */
static void attempt(struct probe_run *p, double el)
{
	size_t n = 0, k = 0;
	char **argv;
	int exec_err;

	while (p->h->probe_argv[n])
		n++;
	argv = xcalloc(n + 6, sizeof *argv);
	argv[k++] = "docker";
	argv[k++] = "exec";
	argv[k++] = "-e";
	argv[k++] = "LD_PRELOAD=";
	argv[k++] = (char *)p->cname;
	memcpy(argv + k, p->h->probe_argv, n * sizeof *argv);
	dprintf(p->log_fd, "$ (probe, attempt %d at %.1f s) docker exec ...\n",
		p->attempts + 1, el);
	p->pid = child_start(argv, p->log_fd, &exec_err);
	p->attempts++;
	free(argv);
	if (p->pid < 0) {
		p->pid = 0;
		p->rc = 127;
		p->next = el + PROBE_RETRY;
	}
}

/* An attempt ended with rc at el: passed, or another try, or failed. */
static void attempt_ended(struct probe_run *p, int rc, double el)
{
	p->pid = 0;
	p->rc = rc;
	dprintf(p->log_fd, "(probe, attempt %d: exit %d)\n", p->attempts, rc);
	if (!rc) {
		p->state = PROBE_PASSED;
		p->seconds = el;
	} else if (el + PROBE_RETRY >= p->deadline) {
		p->state = PROBE_FAILED;
		p->seconds = el;
	} else {
		p->next = el + PROBE_RETRY;
	}
}

void probe_tick(struct probe_run *p, double el, bool ended)
{
	int status = 0;

	if (p->state != PROBE_WAITING)
		return;
	if (p->pid && child_poll(p->pid, &status) != 0) {
		attempt_ended(p, status, el);
		if (p->state != PROBE_WAITING)
			return;
	}
	if (p->pid && (ended || el >= p->deadline)) {
		/* the container is gone or the time is up: this try fails */
		kill(p->pid, SIGKILL);
		child_wait(p->pid);
		p->pid = 0;
		dprintf(p->log_fd, "(probe, attempt %d: stopped at %.1f s)\n",
			p->attempts, el);
	}
	if (!p->pid && (ended || el >= p->deadline)) {
		p->state = PROBE_FAILED;
		p->seconds = el;
		return;
	}
	if (!p->pid && el >= p->next)
		attempt(p, el);
}

bool probe_pending(const struct probe_run *p)
{
	return p->state == PROBE_WAITING;
}

/* ---- the verdict --------------------------------------------------------- */

void probe_print(const struct probe_run *p, const char *who)
{
	if (p->state == PROBE_PASSED)
		printf("   probe passed as %s (attempt %d, %.1f s after the "
		       "start)\n",
		       who, p->attempts, p->seconds);
	else if (p->state == PROBE_FAILED)
		printf("   probe FAILED as %s: %d attempt%s until %.1f s, the "
		       "last exit %d%s\n",
		       who, p->attempts, p->attempts == 1 ? "" : "s",
		       p->seconds, p->rc,
		       p->attempts ? "" : " (the container ended first)");
}

bool harden_run_matches(const struct harden *h,
			const struct harden_result *root,
			const struct harden_result *user, bool say)
{
	bool ok = true;

	if (h->stop_after && root->stopped && !user->stopped) {
		ok = false;
		if (say)
			printf("   the container exited by itself after %.1f "
			       "s, before --stop-after %ld s; the root run "
			       "ran until stopped\n",
			       user->seconds, h->stop_after);
	}
	if (root->probe.state == PROBE_PASSED &&
	    user->probe.state != PROBE_PASSED) {
		ok = false;
		if (say)
			printf("   the probe passed as root, not as the "
			       "user\n");
	}
	return ok;
}

void harden_root_probe_said(const struct harden_result *root)
{
	if (root->probe.state == PROBE_FAILED)
		warning("the probe fails as root too: it is reported, not "
			"required of the user");
}
