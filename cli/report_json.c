/*
 * report_json.c - `unroot report --format json`: one JSON object per event,
 * one a line, in time order, for programs, then the container's changes
 * no event explains.  "denied" is the one definition of a denial
 * (trace_event_denied): the errno alone does not say it (an EROFS for a
 * name that was not there stands for ENOENT).  Paths use the json_path() form
 * (a string, or
 * {"hex"}).
 */
#include <stdlib.h>

#include "pysite.h"
#include "report.h"

static json_t *frame_json(const struct trace_frame *f)
{
	json_t *o = json_object();
	char buf[32];

	json_object_set_new(o, "module", json_path(f->module));
	snprintf(buf, sizeof buf, "0x%lx", f->offset);
	json_object_set_new(o, "offset", json_string(buf));
	if (f->symbol) {
		json_object_set_new(o, "symbol", json_string(f->symbol));
		snprintf(buf, sizeof buf, "0x%lx", f->symoff);
		json_object_set_new(o, "symoff", json_string(buf));
	}
	return o;
}

static int json_event(const struct trace_event *ev, void *ctx)
{
	FILE *out = ctx;

	const struct trace_frame *fr = trace_event_frame(ev);
	json_t *o = json_object();
	char mode[16], *s;

	json_object_set_new(o, "op", json_string(op_name(ev->op)));
	json_object_set_new(o, "fn", json_string(ev->fn));
	json_object_set_new(o, "path", json_path(ev->path));
	json_object_set_new(o, "path2",
			    ev->path2 ? json_path(ev->path2) : json_null());
	if (ev->real)
		json_object_set_new(o, "real", json_path(ev->real));
	json_object_set_new(
	    o, "errno", ev->errname ? json_string(ev->errname) : json_null());
	json_object_set_new(o, "write", json_boolean(trace_event_writes(ev)));
	json_object_set_new(o, "denied", json_boolean(trace_event_denied(ev)));
	json_object_set_new(o, "pid", json_integer(ev->pid));
	json_object_set_new(o, "tid", json_integer(ev->tid));
	json_object_set_new(o, "exe",
			    ev->proc ? json_path(ev->proc->exe) : json_null());
	json_object_set_new(o, "uid", json_integer(ev->uid));
	json_object_set_new(o, "gid", json_integer(ev->gid));
	json_object_set_new(o, "flags",
			    ev->flags_text ? json_string(ev->flags_text)
					   : json_null());
	if (ev->has_mode) {
		snprintf(mode, sizeof mode, "%04o", ev->mode);
		json_object_set_new(o, "mode", json_string(mode));
	} else {
		json_object_set_new(o, "mode", json_null());
	}
	json_object_set_new(o, "ret", json_integer(ev->ret));
	json_object_set_new(o, "ts", json_integer(ev->ts));
	if (ev->argv0)
		json_object_set_new(o, "argv0", json_path(ev->argv0));
	json_object_set_new(o, "frame", fr ? frame_json(fr) : json_null());
	if (ev->npy > 0) {
		json_t *a = json_array();
		char *site = py_site_text(ev);

		for (int i = 0; i < ev->npy; i++)
			json_array_append_new(
			    a, json_pack("{s:o, s:i, s:s}", "f",
					 json_path(ev->py[i].file), "l",
					 ev->py[i].line, "fn", ev->py[i].func));
		json_object_set_new(o, "py", a);
		if (site)
			json_object_set_new(o, "py_site", json_path(site));
		free(site);
	}
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s) {
		fputs(s, out);
		fputc('\n', out);
		free(s);
	}
	json_decref(o);
	return 0;
}

/* After the events, one line per change of the container's layer that
 * no event explains (trace.json "layer"): {"layer_change": "A", "path":
 * PATH, "seen_only_in_container_changes": true}. */
static void json_unseen(const struct trace *t, FILE *out)
{
	for (size_t i = 0; i < trace_nunseen(t); i++) {
		const struct trace_unseen *u = trace_unseen_at(t, i);
		char kind[2] = {u->change, 0};
		json_t *o = json_pack("{s:s, s:o, s:b}", "layer_change", kind,
				      "path", json_path(u->path),
				      "seen_only_in_container_changes", 1);
		char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

		if (s) {
			fputs(s, out);
			fputc('\n', out);
			free(s);
		}
		json_decref(o);
	}
}

int report_print_json(struct trace *t, FILE *out)
{
	int rc = trace_each_event(t, json_event, out);

	if (!rc)
		json_unseen(t, out);
	return rc;
}
