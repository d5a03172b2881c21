/*
 * harden.c - `unroot harden`'s loop (harden.h).  It builds the image,
 * profiles it as root, writes the hardened Dockerfile (apply.c), builds it
 * and profiles it again, now as the image's USER.  That run goes back to
 * the planner (feed_dir: its events, denied or not, so that a name it made
 * is known as made) together with the traces before it, and the
 * loop goes on until a run as the user has no denial (but those a root run
 * that ended well had too: harden_denials.c), the root run's exit status
 * and does what the root run did (harden_probe.c: its probe passes
 * when root's did, it runs until --stop-after when root's did), or until a
 * round changes nothing (then the denials left are named with the
 * planner's reason).
 *
 * Files: OUT (default <Dockerfile>.nonroot) and the work directory (-w;
 * default OUT.unroot/, or a new $TMPDIR/unroot-harden.XXXXXX when that
 * would be inside the build context) holding round0/ (the root trace),
 * roundN/ (the user's runs), roundN-feed/ (what the planner reads of
 * them: feed_dir), their logs (docker's and the container's output), the
 * build logs and each round's Dockerfile.  With --read-only each run as
 * the user is a kubelet's (harden_kubelet.c), and a verified plan is also
 * written as OUT.k8s.yaml, OUT.pod.yaml and OUT.compose.yaml.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apply.h"
#include "exitcodes.h"
#include "harden.h"

/* ---- files --------------------------------------------------------------- */

/* The default tag: the context directory's name as docker accepts it. */
static char *default_tag(const char *context)
{
	char *abs = realpath(context, NULL);
	const char *base = path_basename(abs ? abs : context);
	struct strbuf sb = STRBUF_INIT;

	for (const char *s = base; *s; s++) {
		char c = *s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			sb_addc(&sb, c);
		else if (sb.len && (c == '.' || c == '_' || c == '-'))
			sb_addc(&sb, c);
		else if (sb.len)
			sb_addc(&sb, '-');
	}
	while (sb.len && strchr("._-", sb.buf[sb.len - 1]))
		sb.buf[--sb.len] = '\0';
	if (!sb.len)
		sb_adds(&sb, "unroot-harden");
	sb_adds(&sb, "-nonroot:latest");
	free(abs);
	return sb_detach(&sb);
}

/* Whether OUT.unroot would land in the build context (and so in every
 * build, and in the image of a COPY . ...). */
static bool in_context(const struct harden *h)
{
	char *dir = path_dirname(h->out), *d = realpath(dir, NULL);
	char *c = realpath(h->context, NULL);
	bool in = d && c && path_is_under(d, c);

	free(dir);
	free(d);
	free(c);
	return in;
}

static char *tmp_work(void)
{
	const char *t = getenv("TMPDIR");
	char *dir = xasprintf("%s/unroot-harden.XXXXXX", t && *t ? t : "/tmp");

	if (!mkdtemp(dir)) {
		errmsg("cannot create %s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

int harden_prepare(struct harden *h)
{
	struct stat in, out;
	char *old, *why = NULL;
	size_t n;

	h->df = apply_read(h->dockerfile, &why);
	if (!h->df) {
		errmsg("%s", why);
		free(why);
		return EXIT_USAGE;
	}
	if (!h->context)
		h->context = h->own_ctx = path_dirname(h->dockerfile);
	if (stat(h->context, &in) || !S_ISDIR(in.st_mode)) {
		errmsg("the build context %s is not a directory", h->context);
		return EXIT_USAGE;
	}
	if (!h->out)
		h->out = h->own_out = xasprintf("%s.nonroot", h->dockerfile);
	if (!strcmp(h->out, "-")) {
		errmsg("-o needs a file: the hardened Dockerfile is built");
		return EXIT_USAGE;
	}
	stat(h->dockerfile, &in);
	if (!stat(h->out, &out)) {
		if (out.st_dev == in.st_dev && out.st_ino == in.st_ino) {
			errmsg("%s is the input Dockerfile: harden never "
			       "overwrites it; name another file with -o",
			       h->out);
			return EXIT_USAGE;
		}
		old = file_read(h->out, &n);
		if (!h->out_given && (!old || !strstr(old, DF_BEGIN))) {
			errmsg("%s exists and was not written by unroot; name "
			       "it with -o to replace it",
			       h->out);
			free(old);
			return EXIT_USAGE;
		}
		free(old);
	}
	if (h->po.read_only && harden_kubelet_prepare(h))
		return EXIT_USAGE;
	if (!h->tag)
		h->tag = h->own_tag = default_tag(h->context);
	h->root_tag = xasprintf("%s-root", h->tag);
	if (h->workdir)
		h->work = xstrdup(h->workdir);
	else if (in_context(h))
		h->work = tmp_work();
	else
		h->work = xasprintf("%s.unroot", h->out);
	if (!h->work)
		return EXIT_RUN_ERROR;
	if (mkdir(h->work, 0755) && errno != EEXIST) {
		errmsg("cannot create %s: %s", h->work, strerror(errno));
		return EXIT_RUN_ERROR;
	}
	return 0;
}

/* The Dockerfile without its comment lines: what a round changes. */
static void strip_comments(const struct strbuf *in, struct strbuf *out)
{
	const char *p = in->buf, *end = in->buf + in->len;

	sb_reset(out);
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *q = p;
		size_t n = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);

		while (q < p + n && (*q == ' ' || *q == '\t'))
			q++;
		if (q == p + n || *q != '#')
			sb_add(out, p, n);
		p += n;
	}
}

/* ---- the loop ------------------------------------------------------------ */

struct loop {
	char **dirs; /* what the planner reads: round0/, then each run as
			the user without the hardened image's own records */
	struct strbuf prev, cur, bare;	/* Dockerfiles: the last round's
					   without comments, this round's */
	struct denials ds;		/* of the last run, but ... */
	struct denials shared;		/* ... those root's run had too */
	struct denials checks;		/* ... and checks where root's
					   run wrote nothing */
	struct denials refused;		/* ... and writes the plan refuses
					   (no plan grants them), the run
					   having ended as root's */
	struct denials fallback;	/* ... and a writer's probes before
					   the fallback the plan gives it */
	struct denials root_ds;		/* of the root run */
	bool root_ok;			/* it ended well */
	struct harden_result root, res; /* the root run, the last run */
	struct plan *pl;
	int round, root_rc, status;
	bool summary; /* ended with a result to summarise */
	double t0;
};

/* Run image under the tracer as this round's trace (round0/ as root,
 * roundN/ as the user), probed when probe, into *res, and read its
 * denials; 0, or an exit status after a message naming who ran. */
static int traced_run(struct harden *h, struct loop *l, const char *image,
		      const char *who, bool probe, struct harden_result *res)
{
	char *log = xasprintf("%s/round%d.log", h->work, l->round);

	l->dirs[l->round] = xasprintf("%s/round%d", h->work, l->round);
	if (harden_profile(h, image, l->dirs[l->round], log, l->round, probe,
			   res)) {
		harden_show_tail(log, 15);
		errmsg("the %s left no trace (exit %d; log %s)", who,
		       res->status, log);
		free(log);
		return EXIT_NO_TRACE;
	}
	free(log);
	probe_print(&res->probe, l->round ? "the user" : "root");
	denials_read(l->dirs[l->round], &l->ds);
	denials_free(&l->shared);
	denials_free(&l->checks);
	denials_free(&l->refused);
	denials_free(&l->fallback);
	if (l->round)
		denials_split_root(&l->ds, &l->root_ds, l->root_ok, &l->shared,
				   &l->checks);
	if (l->round && l->pl && l->root_ok && res->status == l->root_rc &&
	    harden_run_matches(h, &l->root, res, false))
		denials_split_refused(&l->ds, l->pl, &l->refused, &l->fallback);
	return 0;
}

/* A run's denials and exit status against root's. */
static void print_count(const struct loop *l, const char *who)
{
	const char *sep = " (set aside: ";

	printf("   %zu denial%s%s", l->ds.n, l->ds.n == 1 ? "" : "s", who);
	if (l->shared.n) {
		printf("%s%zu that root's run had too", sep, l->shared.n);
		sep = ", ";
	}
	if (l->checks.n) {
		printf("%s%zu write check%s where root's run wrote nothing",
		       sep, l->checks.n, l->checks.n == 1 ? "" : "s");
		sep = ", ";
	}
	if (l->refused.n) {
		printf("%s%zu the plan refuses", sep, l->refused.n);
		sep = ", ";
	}
	if (l->fallback.n)
		printf("%s%zu probe%s before a fallback", sep, l->fallback.n,
		       l->fallback.n == 1 ? "" : "s");
	if (l->shared.n || l->checks.n || l->refused.n || l->fallback.n)
		printf(")");
	printf("%s\n", l->status == l->root_rc
			   ? ", same exit status as root"
			   : ", exit status differs from root's");
}

/* Round 0: the root image built and profiled; -1 to go on, else an exit
 * status. */
static int root_round(struct harden *h, struct loop *l)
{
	char *log = xasprintf("%s/build-root.log", h->work);
	int rc;

	printf("== round 0: %s as root\n", h->dockerfile);
	rc = harden_build(h, h->dockerfile, h->root_tag, log);
	free(log);
	if (rc)
		return EXIT_RUN_ERROR;
	harden_probe_resolve(h, h->root_tag);
	rc = traced_run(h, l, h->root_tag, "root run", true, &l->root);
	l->root_rc = l->root.status;
	if (rc)
		return rc;
	harden_root_probe_said(&l->root);
	printf("   %zu denial%s as root\n", l->ds.n, l->ds.n == 1 ? "" : "s");
	if (l->root_rc && !h->stop_after)
		warning(
		    "the workload fails as root too (exit %d; see %s/"
		    "round0.log): harden only makes the user's run match it",
		    l->root_rc, h->work);
	/* a denial of a run that ended well went by as the workload meant;
	 * one of a failed run may be why it failed, and counts */
	l->root_ok = (!l->root_rc || l->root.stopped) &&
		     l->root.probe.state != PROBE_FAILED;
	l->root_ds = l->ds;
	memset(&l->ds, 0, sizeof l->ds);
	return -1;
}

/* Why the user's exit status is not root's, when no denial says it. */
static const char *status_why(const struct loop *l)
{
	if (l->ds.n)
		return "";
	if (l->pl->nprivs)
		return ": the user was refused calls only privilege allows "
		       "(the notes above say which)";
	if (!l->status)
		return ": the user's run succeeds where root's fails; harden "
		       "verifies a run that ends as root's does (see "
		       "round0.log for root's failure)";
	if (l->checks.n)
		return ": a failure the tracer did not see as a denial; the "
		       "write checks and removals of missing names set aside "
		       "above may be why (the plan's notes say what to "
		       "mount), else see the round's log";
	return ": a failure the tracer did not see as a denial; see the "
	       "round's log";
}

/* The round adds nothing to the plan: say what is left. */
static void stopped_unchanged(struct harden *h, struct loop *l)
{
	const struct denials *ds = &l->ds;

	printf("\n== stopped: round %d adds nothing to the plan\n",
	       l->round - 1);
	/* the same lines; its comments name what is refused */
	file_replace(h->out, l->cur.buf, l->cur.len);
	if (ds->n) {
		printf("%zu denial%s remain%s as %s:\n", ds->n,
		       ds->n == 1 ? "" : "s", ds->n == 1 ? "s" : "",
		       l->pl->user);
		harden_print_denials(ds, l->pl);
	}
	harden_run_matches(h, &l->root, &l->res, true);
	if (l->status != l->root_rc)
		printf("exit status %d as the user, %d as root%s\n", l->status,
		       l->root_rc, status_why(l));
}

/* What a round tests, in l->bare: its Dockerfile's lines and, for a
 * read-only root, the scratch mounts the kubelet's run gives it
 * (harden_kubelet_args), which are not lines of the Dockerfile. */
static void round_key(const struct harden *h, struct loop *l)
{
	strip_comments(&l->cur, &l->bare);
	for (size_t i = 0; h->po.read_only && i < l->pl->ntmpfs; i++)
		sb_addf(&l->bare, "mount %s%s\n", l->pl->tmpfs[i].dir,
			l->pl->tmpfs[i].seed ? " seeded" : "");
}

/* The hardened Dockerfile from the traces so far, in l->cur; -1 to go on,
 * else an exit status (l->summary set when there is a result). */
static int plan_round(struct harden *h, struct loop *l)
{
	struct plan_options o = h->po;
	char *keep = NULL, *why = NULL;

	plan_free(l->pl);
	sb_reset(&l->cur);
	apply_stage_user(&o, h->df, &keep);
	l->pl = plan_load(l->dirs, l->round, &o);
	if (!l->pl || apply_insert(h->df, l->pl, &l->cur, &why)) {
		if (why)
			errmsg("%s", why);
		free(why);
		free(keep);
		return l->pl ? 1 : EXIT_NO_TRACE;
	}
	free(keep);
	harden_note_lines(h, l->pl, l->round);
	round_key(h, l);
	l->summary = true;
	if (l->round > 1 && l->bare.len == l->prev.len &&
	    !memcmp(l->bare.buf, l->prev.buf, l->bare.len)) {
		stopped_unchanged(h, l);
		return 1;
	}
	if (l->round > h->max_rounds) {
		printf("\n== stopped: --max-rounds %d reached with %zu "
		       "denial%s left\n",
		       h->max_rounds, l->ds.n, l->ds.n == 1 ? "" : "s");
		harden_print_denials(&l->ds, l->pl);
		return 1;
	}
	l->summary = false;
	return -1;
}

/* Build and run this round's Dockerfile as the user; 0 when the run is
 * clean, -1 to go on, else an exit status. */
static int user_round(struct harden *h, struct loop *l)
{
	int round = l->round, rc;
	char *file, *log;

	denials_free(&l->ds);
	if (file_replace(h->out, l->cur.buf, l->cur.len))
		return EXIT_RUN_ERROR;
	file = xasprintf("%s/Dockerfile.round%d", h->work, round);
	file_replace(file, l->cur.buf, l->cur.len);
	free(file);
	printf("== round %d: %s as %s (uid %u)\n", round, h->out, l->pl->user,
	       l->pl->uid);
	log = xasprintf("%s/build-%d.log", h->work, round);
	rc = harden_build(h, h->out, h->tag, log);
	free(log);
	if (rc || (h->po.read_only && harden_kubelet_args(h, l->pl, round)))
		return EXIT_RUN_ERROR;
	rc = traced_run(h, l, h->tag, "run as the user",
			l->root.probe.state == PROBE_PASSED, &l->res);
	l->status = l->res.status;
	if (rc)
		return rc;
	print_count(l, " as the user");
	if (harden_run_matches(h, &l->root, &l->res, true) && !l->ds.n &&
	    l->status == l->root_rc) {
		l->summary = true;
		return 0;
	}
	sb_reset(&l->prev);
	sb_add(&l->prev, l->bare.buf, l->bare.len);
	/* the planner gets this whole run beside the root trace: what it
	 * was denied, what it made (names that exist for one run), and the
	 * calls only privilege allows it was refused; a run with no denial
	 * and another exit status goes to the planner too, whose notes say
	 * why (a refused setgroups) or whose next plan differs */
	file = l->dirs[round];
	l->dirs[round] = xasprintf("%s/round%d-feed", h->work, round);
	rc = feed_dir(file, l->dirs[round]);
	free(file);
	return rc ? EXIT_RUN_ERROR : -1;
}

static void summary(struct harden *h, const struct loop *l, int rc)
{
	printf("\n== unroot harden: %s\n", rc ? "NOT verified" : "verified");
	if (rc)
		printf("rounds: %d run%s as the user after the root run; the "
		       "last hardened Dockerfile is %s (image %s)\n",
		       l->round - 1, l->round == 2 ? "" : "s", h->out, h->tag);
	else
		printf("rounds: %d run%s as the user after the root run; the "
		       "last ran with 0 denials%s and exit %d, as root did "
		       "(%.0f s)\n",
		       l->round, l->round == 1 ? "" : "s",
		       l->shared.n || l->checks.n || l->refused.n ||
			       l->fallback.n
			   ? " beyond those set aside below"
			   : "",
		       l->status, harden_now() - l->t0);
	if (!rc && l->res.probe.state == PROBE_PASSED)
		printf("probe: %s passed as the user, as it did as root\n",
		       h->probe_text);
	if (l->shared.n) {
		printf("denied as the user and as root alike (the workload "
		       "goes on without them; not the user's to fix):\n");
		harden_print_denials(&l->shared, NULL);
	}
	if (l->checks.n) {
		printf("write checks refused where root's run wrote nothing "
		       "(questions, not writes; or removals of names that did "
		       "not exist, which a read-only root refuses where a "
		       "writable one says ENOENT):\n");
		harden_print_denials(&l->checks, NULL);
	}
	if (l->refused.n) {
		printf("refused by the plan, in a run that ended as root's "
		       "did (the workload goes on without them; no plan grants "
		       "them):\n");
		harden_print_denials(&l->refused, l->pl);
	}
	if (l->fallback.n) {
		printf("a known writer's probes before the fallback the plan "
		       "gives it, in a run that ended as root's did:\n");
		harden_print_probes(&l->fallback, l->pl);
	}
	harden_print_lines(h, l->pl);
	printf("image: %s%s\n", h->tag, rc ? " (not verified)" : "");
	printf("hardened Dockerfile: %s; traces and logs in %s/\n", h->out,
	       h->work);
	harden_print_diff(h);
}

/*
 * A plan that joins a service's group writes USER uid (the group comes
 * from /etc/group), and docker or podman run with --user UID:GID drop that
 * membership unless --group-add gives it back.  So a verified plan that
 * joins a group is run once more that way, with exactly the options it
 * prints; 0 when that run verifies too, 1 (with the reason) when not, or
 * an exit status.
 */
static int explicit_group_round(struct harden *h, struct loop *l)
{
	int rc;

	if (h->po.read_only || !harden_group_args(h, l->pl))
		return 0;
	l->round++;
	denials_free(&l->ds);
	printf("== round %d: %s as --user %u:%u with the plan's --group-add\n",
	       l->round, h->tag, l->pl->uid, l->pl->gid);
	rc = traced_run(h, l, h->tag, "run as --user UID:GID",
			l->root.probe.state == PROBE_PASSED, &l->res);
	harden_kubelet_free(h);
	l->status = l->res.status;
	if (rc)
		return rc;
	print_count(l, "");
	if (harden_run_matches(h, &l->root, &l->res, true) && !l->ds.n &&
	    l->status == l->root_rc)
		return 0;
	if (l->ds.n)
		harden_print_denials(&l->ds, l->pl);
	printf("the plan's run options are not enough with an explicit "
	       "group\n");
	return 1;
}

int harden_run(struct harden *h)
{
	struct loop l = {
	    .prev = STRBUF_INIT, .cur = STRBUF_INIT, .bare = STRBUF_INIT};
	int rc;

	l.t0 = harden_now();
	if (harden_docker_check(h))
		return EXIT_RUN_ERROR;
	l.dirs = xcalloc(h->max_rounds + 2, sizeof *l.dirs);
	rc = root_round(h, &l);
	while (rc < 0) {
		l.round++;
		rc = plan_round(h, &l);
		if (rc < 0)
			rc = user_round(h, &l);
	}
	if (!rc && l.summary)
		rc = explicit_group_round(h, &l);
	if (l.summary)
		summary(h, &l, rc);
	if (!rc && h->po.read_only)
		rc = harden_kubelet_files(h, l.pl, l.dirs[0]);
	plan_free(l.pl);
	denials_free(&l.ds);
	denials_free(&l.shared);
	denials_free(&l.checks);
	denials_free(&l.refused);
	denials_free(&l.fallback);
	denials_free(&l.root_ds);
	for (int i = 0; i <= h->max_rounds + 1; i++)
		free(l.dirs[i]);
	free(l.dirs);
	sb_release(&l.prev);
	sb_release(&l.cur);
	sb_release(&l.bare);
	return rc;
}

void harden_free(struct harden *h)
{
	dockerfile_free(h->df);
	free(h->own_out);
	free(h->own_tag);
	free(h->own_ctx);
	free(h->work);
	free(h->root_tag);
	harden_probe_free(h);
	for (size_t i = 0; i < h->nlines; i++)
		free(h->lines[i].key);
	free(h->lines);
	harden_kubelet_free(h);
}
