/*
 * opt.h - the one option parser of the commands.  A command describes its
 * options in a table (struct opt, ended by OPT_END()) and itself in a
 * struct opt_cmd; opt_parse() reads argv against them, and the same table
 * writes the usage line, the help and the errors, so every command spells
 * them the same way:
 *
 *   unroot CMD: unknown option '--x'; see 'unroot CMD --help'
 *   unroot CMD: option '--x' needs a value
 *   unroot CMD: option '--x' takes no value
 *
 * followed by the command's usage exit status (2; 125 for run and docker,
 * which keep 1-124 for their workload's).  Options are written -s, -s
 * VALUE, -sVALUE, --long, --long VALUE or --long=VALUE; "--" ends them;
 * -h and --help print the help.
 */
#ifndef UNROOT_OPT_H
#define UNROOT_OPT_H

#include <stdbool.h>
#include <stdio.h>

#include "format.h"

enum opt_type {
	OPT_T_END,
	OPT_T_FLAG,   /* value: bool *, set true */
	OPT_T_STRING, /* value: const char **, set to the argument */
	OPT_T_CALL,   /* call(o, argument) checks and stores it */
};

struct opt {
	enum opt_type type;
	char shrt;	  /* 'o' for -o, or 0 */
	const char *lng;  /* "output" for --output, or NULL */
	const char *arg;  /* the value's name in the help ("DIR"); NULL: a
			     flag, which takes none */
	const char *help; /* one line for the help */
	void *value;
	/* OPT_T_CALL: 0, or -1 after opt_error() */
	int (*call)(const struct opt *o, const char *arg);
	const void *data; /* for call: a format table, ... */
	bool required;	  /* OPT_T_STRING: must be given (the value starts
			     NULL) */
};

#define OPT_FLAG(s, l, v, h)                                                   \
	{                                                                      \
		.type = OPT_T_FLAG, .shrt = s, .lng = l, .help = h, .value = v \
	}
#define OPT_STRING(s, l, v, a, h)                                    \
	{                                                            \
		.type = OPT_T_STRING, .shrt = s, .lng = l, .arg = a, \
		.help = h, .value = v                                \
	}
/* A string option that must be given: a usage error names it when not. */
#define OPT_REQUIRED(s, l, v, a, h)                                  \
	{                                                            \
		.type = OPT_T_STRING, .shrt = s, .lng = l, .arg = a, \
		.help = h, .value = v, .required = true              \
	}
#define OPT_CALL(s, l, v, a, h, f)                                            \
	{                                                                     \
		.type = OPT_T_CALL, .shrt = s, .lng = l, .arg = a, .help = h, \
		.value = v, .call = f                                         \
	}
/* --NAME F: v is an int *, set to the index of F in the format table t
 * (format.h); the names are listed in the usage line and the errors. */
#define OPT_FORMAT(l, v, t, h)                                       \
	{                                                            \
		.type = OPT_T_CALL, .lng = l, .arg = "F", .help = h, \
		.value = v, .call = opt_format, .data = (t)          \
	}
#define OPT_END()                 \
	{                         \
		.type = OPT_T_END \
	}

enum opt_cmd_flags {
	/* options stop at the first operand: the rest is a command line
	 * (run, docker) */
	OPT_STOP_AT_OPERAND = 1,
	/* operands only after "--" (harden: docker run's arguments) */
	OPT_OPERANDS_AFTER_DASHDASH = 2,
};

struct opt_cmd {
	const char *name;     /* "plan" */
	const char *operands; /* the operands in the usage line: "[DIR...]" */
	const char *about;    /* what it does, after the usage line */
	const char *more;     /* after the options (exit status...), or NULL */
	int usage_exit;	      /* the exit status of a usage error */
	unsigned flags;	      /* enum opt_cmd_flags */
};

/* What opt_parse returns besides a number of operands. */
#define OPT_HELP  (-1) /* the help was printed: exit 0 */
#define OPT_ERROR (-2) /* a usage error was printed: exit c->usage_exit */

/*
 * Parse argv[1..argc) against opts.  Returns the number of operands, left
 * in order in argv[0..n) (argv[0], the command's name, is overwritten), or
 * OPT_HELP or OPT_ERROR.
 */
int opt_parse(const struct opt_cmd *c, const struct opt *opts, int argc,
	      char **argv);

/* The help: usage line, about, the options, more. */
void opt_help(const struct opt_cmd *c, const struct opt *opts, FILE *f);

/* For callbacks: "unroot CMD: option '--x' " followed by the message. */
__attribute__((format(printf, 2, 3))) void opt_error(const struct opt *o,
						     const char *fmt, ...);

/* The OPT_FORMAT callback. */
int opt_format(const struct opt *o, const char *arg);

#endif
