/*
 * state.c - the tracer's tables: every traced thread by its tid, and the
 * process image each belongs to.  An image lives while a thread points at
 * it: a fork or a clone without CLONE_THREAD makes a new one, an exec
 * replaces the thread's image (loop.c), the exit of its last thread frees
 * it.  Invariant: img->threads counts exactly the threads whose img it is.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracer.h"

#define BUCKETS 1024

struct node {
	struct thread t;
	struct node *next;
};

static struct node *buckets[BUCKETS];
static int nthreads;

static struct node **bucket(pid_t tid)
{
	return &buckets[(unsigned)tid & (BUCKETS - 1)];
}

struct thread *tr_thread_get(pid_t tid)
{
	for (struct node *n = *bucket(tid); n; n = n->next)
		if (n->t.tid == tid)
			return &n->t;
	return NULL;
}

struct image *tr_image_new(pid_t pid, bool record)
{
	struct image *img = calloc(1, sizeof *img);

	if (!img)
		return NULL;
	img->pid = pid;
	img->record = record;
	img->fd = -1;
	img->memfd = -1;
	return img;
}

void tr_image_put(struct image *img)
{
	if (!img || --img->threads > 0)
		return;
	if (img->fd >= 0)
		close(img->fd);
	tr_mem_close(img);
	free(img->dirs);
	free(img);
}

/*
 * A thread that stopped or was announced: known, or added to the image of
 * tgid (a thread of a known process), or to a new image (a new process,
 * recorded like the process that made it: the image of its parent is
 * found by the caller, loop.c, which sets record).
 */
struct thread *tr_thread_add(pid_t tid, pid_t tgid)
{
	struct thread *t = tr_thread_get(tid);
	struct node *n;

	if (t)
		return t;
	n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	t = &n->t;
	t->tid = tid;
	struct thread *leader = tgid != tid ? tr_thread_get(tgid) : NULL;
	if (leader && leader->img) {
		t->img = leader->img;
		t->euid = leader->euid;
		t->egid = leader->egid;
	} else {
		t->img = tr_image_new(tgid, true);
	}
	if (!t->img) {
		free(n);
		return NULL;
	}
	t->img->threads++;
	n->next = *bucket(tid);
	*bucket(tid) = n;
	nthreads++;
	return t;
}

void tr_thread_drop(struct thread *t)
{
	for (struct node **pp = bucket(t->tid); *pp; pp = &(*pp)->next) {
		if (&(*pp)->t != t)
			continue;
		struct node *n = *pp;
		*pp = n->next;
		tr_image_put(n->t.img);
		free(n->t.p);
		free(n);
		nthreads--;
		return;
	}
}

int tr_thread_count(void)
{
	return nthreads;
}

/*
 * True the first time img's file meets the directory whose path hashes to
 * key (its "dir" record is due).  An open-addressed set of hashes that
 * doubles at half full; when memory runs out the record is written again
 * (readers keep the first).
 */
bool tr_dir_first_seen(struct image *img, uint64_t key)
{
	if (2 * (img->ndirs + 1) > img->capdirs) {
		size_t cap = img->capdirs ? 2 * img->capdirs : 256;
		uint64_t *d = calloc(cap, sizeof *d);
		if (!d)
			return true;
		for (size_t i = 0; i < img->capdirs; i++) {
			uint64_t k = img->dirs[i];
			if (!k)
				continue;
			size_t j = (size_t)k & (cap - 1);
			while (d[j])
				j = (j + 1) & (cap - 1);
			d[j] = k;
		}
		free(img->dirs);
		img->dirs = d;
		img->capdirs = cap;
	}
	size_t j = (size_t)key & (img->capdirs - 1);
	while (img->dirs[j]) {
		if (img->dirs[j] == key)
			return false;
		j = (j + 1) & (img->capdirs - 1);
	}
	img->dirs[j] = key;
	img->ndirs++;
	return true;
}

void tr_thread_rekey(struct thread *t, pid_t newtid)
{
	for (struct node **pp = bucket(t->tid); *pp; pp = &(*pp)->next) {
		if (&(*pp)->t != t)
			continue;
		struct node *n = *pp;
		*pp = n->next;
		n->t.tid = newtid;
		n->next = *bucket(newtid);
		*bucket(newtid) = n;
		return;
	}
}

void tr_thread_set_image(struct thread *t, struct image *img)
{
	img->threads++;
	tr_image_put(t->img);
	t->img = img;
}
