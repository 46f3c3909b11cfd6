// SPDX-License-Identifier: BSD-2-Clause
/*
 * The output files of a capture: the first one, rotation by size (-C) or
 * time (-G) into FILE.0, FILE.1, ..., the ring of -W files, and the
 * metadata and totals that make each file a complete trace on its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "record/sockrec.h"

#define FRAME_BYTES	(1u << 20)

static int file_name(const struct rec_session *s, uint32_t index, char *buf,
		     size_t size)
{
	int n;

	if (s->rotating)
		n = snprintf(buf, size, "%s.%" PRIu32, s->opt->out_path, index);
	else
		n = snprintf(buf, size, "%s", s->opt->out_path);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* Open s->cur_path (or standard output) and a writer on it. */
static int open_current(struct rec_session *s)
{
	struct skr_writer_opts wo;
	struct stat st;
	int fd, err;

	if (strcmp(s->opt->out_path, "-") == 0) {
		s->out_name = "standard output";
		if (isatty(STDOUT_FILENO)) {
			fprintf(stderr, "sockrec: refusing to write a binary trace to a terminal; "
				"redirect standard output or use -o FILE\n");
			return -ENOTTY;
		}
		fd = STDOUT_FILENO;
	} else {
		s->out_name = s->cur_path;
		/* Owner-only: a trace names every connection of the host. */
		fd = open(s->cur_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0600);
		if (fd < 0) {
			err = -errno;
			fprintf(stderr, "sockrec: opening %s: %s\n",
				s->cur_path, strerror(-err));
			return err;
		}
	}
	s->out_created = fd != STDOUT_FILENO && fstat(fd, &st) == 0 &&
			 S_ISREG(st.st_mode);

	memset(&wo, 0, sizeof(wo));
	wo.level = s->opt->level;
	/*
	 * The size of a file is known only frame by frame: keep frames below
	 * -C so a file passes its limit by one frame at most.
	 */
	wo.frame_bytes = FRAME_BYTES;
	if (s->opt->rotate_bytes && s->opt->rotate_bytes < FRAME_BYTES)
		wo.frame_bytes = (size_t)s->opt->rotate_bytes;
	err = skr_writer_open(&s->w, fd, &wo);
	if (err) {
		fprintf(stderr, "sockrec: starting the writer: %s\n",
			strerror(-err));
		if (fd != STDOUT_FILENO) {
			close(fd);
			unlink(s->cur_path);
		}
		return err;
	}
	s->out_fd = fd;
	s->file_start_ms = rec_mono_ms();
	s->files++;
	return 0;
}

int rec_output_open(struct rec_session *s)
{
	int err;

	s->out_fd = -1;
	s->rotating = s->opt->rotate_bytes || s->opt->rotate_secs;
	s->file_index = 0;
	err = rec_meta_capture_id(s);
	if (err)
		return err;
	err = file_name(s, 0, s->cur_path, sizeof(s->cur_path));
	if (err) {
		fprintf(stderr, "sockrec: output file name: %s\n",
			strerror(-err));
		return err;
	}
	return open_current(s);
}

int rec_output_begin(struct rec_session *s)
{
	int err;

	s->file_events0 = s->events;
	s->file_lost0 = s->lost;
	s->file_ofail0 = s->output_failed;
	s->file_rmiss0 = s->recursion_misses;
	err = rec_meta_begin(s, s->opt->argc, s->opt->argv);
	if (!err)
		err = rec_probes_write(s);
	/* FILTER record of the filters in force: record/filters.c writes it here. */
	if (!err)
		err = rec_filters_write(s);
	/* sock_diag snapshot of existing sockets: record/diag.c writes it here. */
	if (!err)
		err = rec_diag_snapshot(s);
	if (!err)
		err = rec_flush(s);
	return err;
}

bool rec_output_due(const struct rec_session *s, uint64_t now_ms)
{
	if (!s->rotating || !s->w)
		return false;
	if (s->opt->rotate_bytes &&
	    skr_writer_bytes_out(s->w) >= s->opt->rotate_bytes)
		return true;
	return s->opt->rotate_secs &&
	       now_ms - s->file_start_ms >= s->opt->rotate_secs * 1000;
}

/* STATS, then ROUND and END with this file's own totals, then a flush. */
static int end_current(struct rec_session *s)
{
	int err;

	rec_counters_refresh(s);
	err = rec_meta_stats(s);
	if (!err)
		err = rec_meta_end(s, s->output_failed - s->file_ofail0,
				   s->recursion_misses - s->file_rmiss0);
	if (!err)
		err = rec_flush(s);
	return err;
}

int rec_output_end(struct rec_session *s)
{
	return end_current(s);
}

/* Close the writer and the file; 0 or the first error. */
static int close_current(struct rec_session *s)
{
	int err, cerr = 0;

	s->bytes_in_done += skr_writer_bytes_in(s->w);
	s->bytes_out_done += skr_writer_bytes_out(s->w);
	err = skr_writer_close(s->w);
	s->w = NULL;
	if (s->out_fd > STDOUT_FILENO && close(s->out_fd))
		cerr = -errno;
	s->out_fd = -1;
	return err ? err : cerr;
}

/* Keep the newest -W files: the one about to be created is among them. */
static void trim_ring(struct rec_session *s)
{
	char old[PATH_MAX];

	if (!s->opt->ring || s->file_index < s->opt->ring)
		return;
	if (file_name(s, s->file_index - s->opt->ring, old, sizeof(old)))
		return;
	if (unlink(old) && errno != ENOENT)
		fprintf(stderr, "sockrec: removing %s: %s\n", old,
			strerror(errno));
}

int rec_output_rotate(struct rec_session *s)
{
	int err;

	err = end_current(s);
	if (err)
		return err;
	err = close_current(s);
	if (err) {
		fprintf(stderr, "sockrec: closing %s: %s\n", s->cur_path,
			strerror(-err));
		s->werr = err;
		s->werr_shown = true;
		return err;
	}
	s->file_index++;
	trim_ring(s);
	err = file_name(s, s->file_index, s->cur_path, sizeof(s->cur_path));
	if (!err)
		err = open_current(s);
	if (err) {
		/* The previous file is complete; there is nowhere to go on. */
		s->werr = err;
		s->werr_shown = true;
		return err;
	}
	return rec_output_begin(s);
}

int rec_output_chown(struct rec_session *s)
{
	if (!s->out_created)
		return 0;
	if (fchown(s->out_fd, s->opt->uid, s->opt->gid)) {
		int err = -errno;

		fprintf(stderr, "sockrec: giving %s to %s: %s\n", s->cur_path,
			s->opt->user, strerror(-err));
		return err;
	}
	return 0;
}

int rec_output_close(struct rec_session *s, bool failed)
{
	bool empty = skr_writer_bytes_out(s->w) == 0;
	int err;

	if (!s->w)
		return 0;
	err = close_current(s);
	if (err && !failed)
		fprintf(stderr, "sockrec: writing %s: %s\n", s->out_name,
			strerror(-err));
	/* Nothing recorded: do not leave an empty file that looks like a trace. */
	if (failed && empty && s->out_created)
		unlink(s->cur_path);
	return err;
}

uint64_t rec_output_bytes_out(const struct rec_session *s)
{
	return s->bytes_out_done + skr_writer_bytes_out(s->w);
}

uint64_t rec_output_bytes_in(const struct rec_session *s)
{
	return s->bytes_in_done + skr_writer_bytes_in(s->w);
}
