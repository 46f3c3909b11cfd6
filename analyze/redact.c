/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sockana --redact KEYFILE [--keep-comm] -o OUT FILE
 *
 * Rewrites a trace record by record, in file order, into one that can be
 * attached to a public bug report:
 *   - every address goes through the keyed prefix-preserving mapping of
 *     redact_map.c (loopback and unspecified ones are kept);
 *   - HOST's host name and boot id and RECORDER's command line and comment
 *     are replaced (the boot id by a keyed pseudonym, so segments of one
 *     boot still compare equal);
 *   - process names are replaced by keyed pseudonyms unless --keep-comm;
 *   - PROBE records are rebuilt from their numbers and identifiers;
 *   - a record whose layout this version does not know may hold anything,
 *     so it is dropped and counted, and every record is cut to the size
 *     this version knows, dropping fields a later minor appended.  The
 *     output therefore declares itself as this reader's minor version.
 * Times, cookies, ports, pids, uids and states are kept: they are what the
 * analysis needs, and they do not name a host.  docs/BUG-REPORTS.md lists
 * everything a redacted file still holds; keep it in step with this file.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/redact.h"

#define EXIT_USAGE	2
#define REDACTED	"redacted"

struct redactor {
	const struct sa_redact_opts *o;
	struct sa_redact_stats *st;
	struct skr_writer *w;
	struct skr_tlv_builder tlv;
	bool header_out;		/* a FILE_HEADER was written */
	uint8_t buf[SKR_REC_MAX];
};

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

/*
 * FILE_HEADER: rebuilt by the format's encoder, in this version's major:
 * the writer stores times and cookies as deltas only where the header says
 * so (docs/FORMAT.md §4.7.1), and a 1.x file holds nothing 2.0 lacks, so a
 * 1.x input becomes 2.0.  Fields of a later minor were cut, so the version
 * says this reader's minor then.
 */
static int file_header(struct redactor *rd, const struct skr_record *rec)
{
	struct skr_file_header fh;

	if (skr_decode_file_header(rec, &fh)) {
		rd->st->malformed++;
		return 1;	/* dropped */
	}
	skr_encode_file_header(&fh, SKR_VERSION_MAJOR,
			       fh.major < SKR_VERSION_MAJOR ? 0 :
			       fh.minor > SKR_VERSION_MINOR ? SKR_VERSION_MINOR
							    : fh.minor,
			       fh.file_index, fh.capture_id, fh.created_ns);
	return skr_writer_append(rd->w, &fh, sizeof(fh));
}

/* Where the record names hosts comes from the format's catalogue. */
static int fixed_record(struct redactor *rd, const struct skr_record *rec,
			const struct skr_rec_desc *l)
{
	uint8_t *b = rd->buf;
	size_t alen = l->addr_len;
	uint8_t in[16], addr[16];
	int i;

	if (rec->len < l->min_len) {
		rd->st->malformed++;
		return 1;	/* dropped */
	}
	memcpy(b, rec->data, l->min_len);
	put_le32(b, l->min_len);
	for (i = 0; i < 2; i++) {
		if (!l->addr[i])
			continue;
		/* A 4-byte address is IPv4 whatever the family byte says. */
		memset(in, 0, sizeof(in));
		memcpy(in, b + l->addr[i], alen);
		if (sa_redact_addr(rd->o->key, alen == 4 ? SKR_AF_INET :
				   b[l->family], in, addr))
			rd->st->addresses++;
		memcpy(b + l->addr[i], addr, alen);
	}
	if (l->comm && rd->o->comm)
		sa_redact_comm(rd->o->key, (const char *)b + l->comm,
			       SKR_COMM_LEN, (char *)b + l->comm, SKR_COMM_LEN);
	if (l->kaddr)
		memset(b + l->kaddr, 0, sizeof(uint64_t));
	return skr_writer_append(rd->w, b, l->min_len);
}

static void boot_pseudonym(const struct redactor *rd, const uint8_t *val,
			   uint16_t vlen, char *out, size_t size)
{
	uint64_t h = sa_siphash24(rd->o->key, val, vlen);
	int n = snprintf(out, size, REDACTED "-%016" PRIx64, h);

	if (n < 0 || (size_t)n >= size)
		out[0] = '\0';
}

/* FILTER: a cgroup path may name a user or a container; the rest is numbers. */
static void filter_attr(struct redactor *rd, uint16_t tag, const uint8_t *val,
			uint16_t vlen)
{
	char comm[SKR_COMM_LEN];
	uint64_t v;

	switch (tag) {
	case SKR_FILTER_COMM:
		if (!rd->o->comm) {
			skr_tlv_put(&rd->tlv, tag, val, vlen);
			break;
		}
		/* The pseudonym the events' comm fields get. */
		memset(comm, 0, sizeof(comm));
		memcpy(comm, val, vlen < sizeof(comm) ? vlen : sizeof(comm));
		sa_redact_comm(rd->o->key, comm, sizeof(comm), comm, sizeof(comm));
		skr_tlv_put(&rd->tlv, tag, comm, strnlen(comm, sizeof(comm)));
		break;
	case SKR_FILTER_CGROUP:
		skr_tlv_put_str(&rd->tlv, tag, REDACTED);
		break;
	case SKR_FILTER_CGROUP_ID:
		/*
		 * Names the same cgroup as the path: a keyed pseudonym, so the
		 * filter still shows, and two files of one cgroup still match.
		 */
		if (skr_tlv_uint(val, vlen, &v) == 0)
			skr_tlv_put_u64(&rd->tlv, tag,
					sa_siphash24(rd->o->key, val, vlen));
		break;
	case SKR_FILTER_PID:
	case SKR_FILTER_PORT:
	case SKR_FILTER_NETNS:
	case SKR_FILTER_FAMILY:
		/* Numbers the events carry as well; never longer than one. */
		if (skr_tlv_uint(val, vlen, &v) == 0)
			skr_tlv_put(&rd->tlv, tag, val, vlen);
		break;
	default:
		break;
	}
}

/* 1 to 64 bytes, each a letter, a digit or one of extra. */
static bool word_of(const uint8_t *val, uint16_t vlen, const char *extra)
{
	uint16_t i;

	if (vlen == 0 || vlen > 64)
		return false;
	for (i = 0; i < vlen; i++) {
		uint8_t c = val[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || (c && strchr(extra, c))))
			return false;
	}
	return true;
}

/*
 * A name the recorder takes from the kernel (a hook, an enum value): a C
 * identifier.  Anything else in its place was not written by sockrec and
 * may hold anything.
 */
static bool identifier(const uint8_t *val, uint16_t vlen)
{
	return word_of(val, vlen, "_");
}

/* A version or a kernel release, "0.1.0", "6.1.0-22-amd64", or a machine. */
static bool version_word(const uint8_t *val, uint16_t vlen)
{
	return word_of(val, vlen, "._+~-");
}

/* Keep a version-like value, or say that something else stood there. */
static void put_version(struct skr_tlv_builder *b, uint16_t tag,
			const uint8_t *val, uint16_t vlen)
{
	if (version_word(val, vlen))
		skr_tlv_put(b, tag, val, vlen);
	else
		skr_tlv_put_str(b, tag, REDACTED);
}

/*
 * PROBE: rebuilt from what this version knows to be harmless.  Numbers are
 * written again at their own width, so that an attribute cannot carry more
 * bytes than its value; names are kept only as identifiers; REASON is text
 * for people that quotes libbpf and the system (paths, errors), so only the
 * fact that one was given is kept; unknown attributes are dropped.
 */
static void probe_attr(struct redactor *rd, uint16_t tag, const uint8_t *val,
		       uint16_t vlen)
{
	struct skr_tlv_builder *b = &rd->tlv;
	uint64_t v;

	switch (tag) {
	case SKR_PROBE_NAME:
		if (identifier(val, vlen))
			skr_tlv_put(b, tag, val, vlen);
		else
			skr_tlv_put_str(b, tag, REDACTED);
		break;
	case SKR_PROBE_TIER:
	case SKR_PROBE_TIERS:
		if (skr_tlv_uint(val, vlen, &v) == 0 && v <= UINT8_MAX)
			skr_tlv_put_u8(b, tag, (uint8_t)v);
		break;
	case SKR_PROBE_EVENT:
		if (skr_tlv_uint(val, vlen, &v) == 0 && v <= UINT16_MAX)
			skr_tlv_put_u16(b, tag, (uint16_t)v);
		break;
	case SKR_PROBE_ERROR:
	case SKR_PROBE_LIMITS:
		if (skr_tlv_uint(val, vlen, &v) == 0 && v <= UINT32_MAX)
			skr_tlv_put_u32(b, tag, (uint32_t)v);
		break;
	case SKR_PROBE_REASON:
		skr_tlv_put_str(b, tag, "reason " REDACTED);
		break;
	case SKR_PROBE_ENUM:
		/* A u32 value, then the kernel's name for it. */
		if (vlen > 4 && identifier(val + 4, (uint16_t)(vlen - 4)))
			skr_tlv_put(b, tag, val, vlen);
		break;
	default:
		break;
	}
}

/*
 * HOST and RECORDER: keep what describes the software, replace what names
 * the machine or the person; tags this version does not know are dropped.
 */
static int tlv_record(struct redactor *rd, const struct skr_record *rec)
{
	struct skr_tlv_builder *b = &rd->tlv;
	struct skr_tlv_iter it;
	const uint8_t *val;
	uint16_t tag, vlen;
	bool args = false;
	char boot[40];
	uint64_t v;
	int rc;

	skr_tlv_begin(b, rec->type);
	skr_tlv_iter_init(&it, rec->data, rec->len);
	while ((rc = skr_tlv_next(&it, &tag, &val, &vlen)) == 1) {
		if (rec->type == SKR_REC_HOST) {
			switch (tag) {
			case SKR_HOST_HOSTNAME:
				skr_tlv_put_str(b, tag, REDACTED);
				break;
			case SKR_HOST_BOOT_ID:
				boot_pseudonym(rd, val, vlen, boot, sizeof(boot));
				skr_tlv_put_str(b, tag, boot);
				break;
			case SKR_HOST_KVERSION:
				/*
				 * uname -v: a build number and time that
				 * single out one kernel build; the release
				 * says what the analysis needs.
				 */
				skr_tlv_put_str(b, tag, REDACTED);
				break;
			case SKR_HOST_KRELEASE:
			case SKR_HOST_MACHINE:
				put_version(b, tag, val, vlen);
				break;
			case SKR_HOST_NCPUS:
				if (skr_tlv_uint(val, vlen, &v) == 0)
					skr_tlv_put(b, tag, val, vlen);
				break;
			case SKR_HOST_OS:
				/* The distribution's PRETTY_NAME: kept. */
				skr_tlv_put(b, tag, val, vlen);
				break;
			default:
				break;
			}
		} else if (rec->type == SKR_REC_RECORDER) {
			switch (tag) {
			case SKR_RECORDER_ARG:
				/* One placeholder for the whole command line. */
				if (!args)
					skr_tlv_put_str(b, tag, "[" REDACTED "]");
				args = true;
				break;
			case SKR_RECORDER_VERSION:
				put_version(b, tag, val, vlen);
				break;
			default:
				/* The recorder's pid too: no report uses it. */
				break;
			}
		} else if (rec->type == SKR_REC_FILTER) {
			filter_attr(rd, tag, val, vlen);
		} else {
			probe_attr(rd, tag, val, vlen);
		}
	}
	if (rec->type == SKR_REC_RECORDER)
		skr_tlv_put_str(b, SKR_RECORDER_COMMENT,
				REDACTED " by sockana --redact");
	/*
	 * A malformed attribute list ends the walk and what came before is
	 * kept, as the analyzer reads attributes up to the first bad one.  A
	 * record the placeholders made too long cannot be written: dropped.
	 */
	rc = skr_tlv_end(b);
	if (rc == -E2BIG) {
		rd->st->malformed++;
		return 1;
	}
	if (rc < 0)
		return rc;
	return skr_writer_append(rd->w, b->buf, (size_t)rc);
}

static int one_record(struct redactor *rd, const struct skr_record *rec)
{
	const struct skr_rec_desc *l = skr_rec_desc(rec->type);
	int rc;

	if (!l) {
		rd->st->dropped++;
		return 0;
	}
	if (l->tlv)
		rc = tlv_record(rd, rec);
	else if (rec->type == SKR_REC_FILE_HEADER)
		rc = file_header(rd, rec);
	else
		rc = fixed_record(rd, rec, l);
	if (rc == 1)
		return 0;	/* dropped */
	if (rc == 0) {
		rd->st->records_out++;
		if (rec->type == SKR_REC_FILE_HEADER)
			rd->header_out = true;
	}
	/* Frames end where segments end, as the recorder's do. */
	if (rc == 0 && rec->type == SKR_REC_END)
		rc = skr_writer_flush(rd->w);
	return rc;
}

static void set_msg(char *msg, size_t size, const char *what, int err)
{
	int n;

	if (!msg || size == 0)
		return;
	n = snprintf(msg, size, "%s: %s", what, strerror(-err));
	if (n < 0)
		msg[0] = '\0';
}

int sa_redact(struct skr_reader *r, const struct sa_redact_opts *opts, int fd,
	      struct sa_redact_stats *st, char *msg, size_t msgsize)
{
	struct skr_reader_status rs;
	struct sa_redact_stats dummy;
	struct redactor *rd;
	struct skr_record rec;
	int rc, err;

	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	rd = calloc(1, sizeof(*rd));
	if (!rd) {
		set_msg(msg, msgsize, "redacting", -ENOMEM);
		return -ENOMEM;
	}
	rd->o = opts;
	rd->st = st;
	err = skr_writer_open(&rd->w, fd, NULL);
	if (err) {
		set_msg(msg, msgsize, "redacting", err);
		goto out;
	}
	while ((rc = skr_reader_next(r, &rec)) == 1) {
		st->records_in++;
		err = one_record(rd, &rec);
		if (err) {
			set_msg(msg, msgsize, "writing the redacted trace", err);
			goto out;
		}
	}
	if (rc < 0) {
		err = rc;
		if (msg && msgsize > 0 &&
		    snprintf(msg, msgsize, "%s", skr_reader_errmsg(r)) < 0)
			msg[0] = '\0';
		goto out;
	}
	skr_reader_get_status(r, &rs);
	st->truncated = rs.truncated;
	/* Nothing a reader would take for a trace: no file to publish. */
	if (rs.segments == 0 || !rd->header_out) {
		err = -ENODATA;
		if (msg && msgsize > 0 &&
		    snprintf(msg, msgsize, "%s", SA_REDACT_NO_DATA) < 0)
			msg[0] = '\0';
	}
out:
	rc = skr_writer_close(rd->w);
	if (err == 0 && rc) {
		err = rc;
		set_msg(msg, msgsize, "writing the redacted trace", err);
	}
	free(rd);
	return err;
}

/* ------------------------------------------------------------------ */
/* Command line                                                         */
/* ------------------------------------------------------------------ */

static const char redact_usage[] =
"Usage: sockana --redact KEYFILE [--keep-comm] -o OUT FILE\n"
"Write a copy of the trace FILE that can be published.\n"
"\n"
"  --redact KEYFILE  key of the address mapping: a file of 16 to 4096 bytes,\n"
"                    e.g. made with 'head -c 32 /dev/urandom > KEYFILE'.\n"
"                    The same key maps the same address the same way in\n"
"                    every trace; keep it secret, or anyone can test guesses.\n"
"  --keep-comm       keep process names as they are (by default they are\n"
"                    replaced by keyed pseudonyms; --redact-comm, the former\n"
"                    way to ask for that, is still accepted)\n"
"  -o, --output OUT  the redacted trace: a new file, created readable by its\n"
"                    owner only (an existing file or symbolic link is never\n"
"                    overwritten), or '-' for standard output, which must not\n"
"                    be a terminal\n"
"\n"
"Addresses are replaced by a keyed prefix-preserving mapping (hosts of one\n"
"subnet stay in one subnet); loopback and unspecified addresses are kept.\n"
"The host name, boot id, kernel build (uname -v), command line, comment,\n"
"probe failure texts and cgroup filter are replaced.  Times, ports, socket\n"
"cookies, pids, uids, namespaces, states and the kernel release are kept;\n"
"docs/BUG-REPORTS.md lists all that a redacted file still reveals.  Records\n"
"of a type this sockana cannot interpret are dropped, and counted on\n"
"standard error.\n"
"\n"
"Exit status: 0 success, 1 unreadable input, input without trace data or\n"
"failed write (no output is left behind), 2 usage error.\n";

static void err_line(const char *a, const char *b)
{
	fprintf(stderr, "sockana: %s%s%s\n", a, b ? ": " : "", b ? b : "");
}

static int usage_error(const char *what, const char *arg)
{
	if (arg)
		fprintf(stderr, "sockana: %s '%s'\n", what, arg);
	else
		fprintf(stderr, "sockana: %s\n", what);
	fputs("Try 'sockana --redact --help'.\n", stderr);
	return EXIT_USAGE;
}

bool sa_redact_wanted(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strncmp(argv[i], "--redact", 8) == 0)
			return true;
	}
	return false;
}

static int read_key(const char *path, uint8_t key[SA_REDACT_KEY_LEN])
{
	uint8_t buf[SA_REDACT_KEYFILE_MAX + 1];
	size_t len = 0;
	char what[600];
	int fd, n, status = EXIT_FAILURE;

	n = snprintf(what, sizeof(what), "key file %s", path);
	if (n < 0 || (size_t)n >= sizeof(what))
		what[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_line(what, strerror(errno));
		return EXIT_FAILURE;
	}
	while (len < sizeof(buf)) {
		ssize_t k = read(fd, buf + len, sizeof(buf) - len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			err_line(what, strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	if (len < SA_REDACT_KEYFILE_MIN || len > SA_REDACT_KEYFILE_MAX) {
		fprintf(stderr, "sockana: %s: holds %s%zu bytes, expected %u to "
			"%u (e.g. head -c 32 /dev/urandom > KEYFILE)\n", what,
			len > SA_REDACT_KEYFILE_MAX ? "more than " : "",
			len > SA_REDACT_KEYFILE_MAX ? (size_t)SA_REDACT_KEYFILE_MAX
						    : len,
			SA_REDACT_KEYFILE_MIN, SA_REDACT_KEYFILE_MAX);
		goto out;
	}
	sa_redact_derive_key(buf, len, key);
	status = EXIT_SUCCESS;
out:
	memset(buf, 0, sizeof(buf));
	close(fd);
	return status;
}

/*
 * Open OUT as a new file.  O_EXCL: an existing file, the input among them,
 * is never truncated, and (with O_NOFOLLOW, said for the reader) a symbolic
 * link planted at OUT is not followed, even one that points nowhere yet.
 */
static int open_output(const char *out, bool *created)
{
	int fd;

	*created = false;
	if (strcmp(out, "-") == 0) {
		if (isatty(STDOUT_FILENO)) {
			err_line("refusing to write a trace to a terminal", NULL);
			return -1;
		}
		return STDOUT_FILENO;
	}
	fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0 && errno == EEXIST) {
		err_line(out, "exists; --redact never overwrites a file: "
			 "remove it or choose another name");
		return -1;
	}
	if (fd < 0) {
		err_line(out, strerror(errno));
		return -1;
	}
	*created = true;
	return fd;
}

static int run(const char *in, const char *out, const char *keyfile,
	       bool keep_comm)
{
	struct sa_redact_opts opts;
	struct sa_redact_stats st;
	struct skr_reader *r = NULL;
	bool created = false;
	char msg[600];
	int fd = -1, err, status = EXIT_FAILURE;

	memset(&opts, 0, sizeof(opts));
	opts.comm = !keep_comm;
	if (read_key(keyfile, opts.key) != EXIT_SUCCESS)
		goto out;
	err = skr_reader_open(&r, in);
	if (err) {
		err_line(in, strerror(-err));
		goto out;
	}
	fd = open_output(out, &created);
	if (fd < 0)
		goto out;
	err = sa_redact(r, &opts, fd, &st, msg, sizeof(msg));
	if (err == -ENODATA) {
		err_line(in, msg);
		goto out;
	}
	if (err) {
		err_line(msg, NULL);
		goto out;
	}
	if (fd != STDOUT_FILENO && close(fd) != 0) {
		fd = -1;
		err_line(out, strerror(errno));
		goto out;
	}
	fd = -1;
	if (st.dropped + st.malformed > 0)
		fprintf(stderr, "sockana: %s: %" PRIu64 " record%s of a type this "
			"sockana cannot redact dropped, %" PRIu64 " malformed "
			"dropped\n", in, st.dropped, st.dropped == 1 ? "" : "s",
			st.malformed);
	if (st.truncated)
		fprintf(stderr, "sockana: %s: the trace is truncated; so is the "
			"redacted copy\n", in);
	status = EXIT_SUCCESS;
out:
	if (fd >= 0 && fd != STDOUT_FILENO)
		close(fd);
	/* A failed run leaves no half-written file that looks like a trace. */
	if (status != EXIT_SUCCESS && created)
		unlink(out);
	skr_reader_free(r);
	memset(&opts, 0, sizeof(opts));
	return status;
}

int sa_redact_main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *keyfile = NULL;
	bool keep_comm = false, mask_comm = false, options_done = false;
	int i;

	/* Before parsing, so that "--redact --help" is not read as a key file. */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(redact_usage, stdout);
			return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
		}
	}
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
			if (in)
				return usage_error("one trace file at a time; "
						   "extra argument", arg);
			in = arg;
		} else if (strcmp(arg, "--") == 0) {
			options_done = true;
		} else if (strcmp(arg, "--redact-comm") == 0) {
			mask_comm = true;	/* the default now */
		} else if (strcmp(arg, "--keep-comm") == 0) {
			keep_comm = true;
		} else if (strcmp(arg, "--redact") == 0 ||
			   strcmp(arg, "-o") == 0 ||
			   strcmp(arg, "--output") == 0) {
			const char **dst = arg[2] == 'r' ? &keyfile : &out;

			if (i + 1 >= argc)
				return usage_error("missing argument to", arg);
			if (*dst)
				return usage_error("given twice:", arg);
			*dst = argv[++i];
		} else {
			return usage_error("--redact writes a trace and takes "
					   "no other option; unknown or "
					   "incompatible option", arg);
		}
	}
	if (!keyfile)
		return usage_error("--redact-comm and --keep-comm need --redact "
				   "KEYFILE", NULL);
	if (keep_comm && mask_comm)
		return usage_error("--keep-comm and --redact-comm contradict "
				   "each other", NULL);
	if (!out)
		return usage_error("--redact needs -o OUT", NULL);
	if (!in)
		return usage_error("missing trace FILE", NULL);
	return run(in, out, keyfile, keep_comm);
}
