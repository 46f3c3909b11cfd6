// SPDX-License-Identifier: BSD-2-Clause
/*
 * The output files of a capture: the first one, rotation by size (-C) or
 * time (-G) into FILE.0, FILE.1, ..., the ring of -W files, and the
 * metadata and totals that make each file a complete trace on its own.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	int fd, err;

	if (strcmp(s->opt->out_path, "-") == 0) {
		s->out_name = "standard output";
		if (isatty(STDOUT_FILENO)) {
			fprintf(stderr, "sockrec: refusing to write a binary trace to a terminal; "
				"redirect standard output or use -o FILE\n");
			return -ENOTTY;
		}
		fd = STDOUT_FILENO;
		s->out_created = false;
	} else {
		s->out_name = s->cur_path;
		/* A plain -o FILE may replace a file of ours; FILE.N are always new. */
		err = rec_outfile_open(s, s->cur_path, !s->rotating, &fd);
		if (err)
			return err;
	}

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
		if (fd != STDOUT_FILENO)
			close(fd);
		/* Only a file sockrec made is sockrec's to remove. */
		if (s->out_created)
			(void)rec_outfile_remove(s, s->cur_path, &s->out_id);
		return err;
	}
	s->out_fd = fd;
	s->file_start_ms = rec_mono_ms();
	s->files++;
	return 0;
}

/* The -W ring and the output directory, held for the whole capture. */
static void release_series(struct rec_session *s)
{
	free(s->ring_ids);
	s->ring_ids = NULL;
	if (s->dir_fd >= 0)
		close(s->dir_fd);
	s->dir_fd = -1;
}

int rec_output_open(struct rec_session *s)
{
	int err;

	s->out_fd = -1;
	s->dir_fd = -1;
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
	if (strcmp(s->opt->out_path, "-") != 0) {
		err = rec_outfile_dir(s);
		if (!err && s->rotating)
			err = rec_outfile_no_series(s);
		if (!err && s->opt->ring) {
			s->ring_ids = calloc(s->opt->ring, sizeof(*s->ring_ids));
			if (!s->ring_ids) {
				err = -ENOMEM;
				fprintf(stderr, "sockrec: -W %" PRIu32 ": %s\n",
					s->opt->ring, strerror(-err));
			}
		}
	}
	if (!err)
		err = open_current(s);
	if (err) {
		release_series(s);
		return err;
	}
	if (s->ring_ids)
		s->ring_ids[0] = s->out_id;
	return 0;
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
	if (!err)
		err = rec_output_check(s);
	return err;
}

int rec_output_check(struct rec_session *s)
{
	if (s->out_gone)
		return -ENOENT;
	/* Standard output is not ours to judge; a pipe has no name anyway. */
	if (s->dir_fd < 0 || s->out_fd < 0 || !rec_outfile_gone(s->out_fd))
		return 0;
	rec_status_clear(s);
	fprintf(stderr, "sockrec: writing %s: it was deleted during the recording "
		"(the file or its directory was removed); stopping\n", s->cur_path);
	s->out_gone = true;
	if (!s->werr) {
		s->werr = -ENOENT;
		s->werr_shown = true;
	}
	return -ENOENT;
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

/*
 * Keep the newest -W files, the one just created among them.  Only a file
 * this capture created goes, and only while its name still leads to it.
 */
static void trim_ring(struct rec_session *s)
{
	struct rec_file_id *slot;
	char old[PATH_MAX];

	if (!s->ring_ids)
		return;
	/* File i is kept in slot i % -W, where file i - (-W) was. */
	slot = &s->ring_ids[s->file_index % s->opt->ring];
	if (s->file_index >= s->opt->ring &&
	    !file_name(s, s->file_index - s->opt->ring, old, sizeof(old)))
		(void)rec_outfile_remove(s, old, slot);
	*slot = s->out_id;
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
	err = file_name(s, s->file_index, s->cur_path, sizeof(s->cur_path));
	if (err)
		fprintf(stderr, "sockrec: output file name: %s\n", strerror(-err));
	else
		err = open_current(s);
	if (err) {
		/*
		 * The previous file is complete; there is nowhere to go on.
		 * The summary names the last file written, not this one.
		 */
		s->file_index--;
		(void)file_name(s, s->file_index, s->cur_path, sizeof(s->cur_path));
		s->werr = err;
		s->werr_shown = true;
		return err;
	}
	trim_ring(s);
	return rec_output_begin(s);
}

int rec_output_chown(struct rec_session *s)
{
	if (!s->out_created) {
		/* Giving away a file sockrec did not make could give anyone's. */
		if (s->dir_fd >= 0)
			fprintf(stderr, "sockrec: -Z %s: %s existed and was replaced, "
				"so it keeps its owner (sockrec gives away only "
				"files it creates)\n", s->opt->user, s->cur_path);
		return 0;
	}
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
	int err = 0;

	if (s->w) {
		err = close_current(s);
		if (err && !failed)
			fprintf(stderr, "sockrec: writing %s: %s\n", s->out_name,
				strerror(-err));
		/* Nothing recorded: do not leave an empty file that looks like a trace. */
		if (failed && empty && s->out_created)
			(void)rec_outfile_remove(s, s->cur_path, &s->out_id);
	}
	release_series(s);
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
