// SPDX-License-Identifier: BSD-2-Clause
/*
 * Output files opened the way a program running as root must open them.
 *
 * The output directory may belong to someone else (with -Z and rotation
 * the README asks for a directory the -Z user can write), so any name in
 * it may be a symbolic link, a hard link or a file planted by that user.
 * Every file is therefore created exclusively without following a link;
 * only a plain -o FILE may replace an existing file, and only one that the
 * descriptor shows to be a regular file of our own with a single link.
 * Everything is done relative to a descriptor of the directory, so that a
 * directory renamed or replaced during the recording cannot send a later
 * file (or a -W deletion) somewhere else.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "record/sockrec.h"

#define OUT_MODE	0600	/* a trace names every connection of the host */

/* A message on its own line, even while the status line is shown. */
__attribute__((format(printf, 2, 3)))
static void say(struct rec_session *s, const char *fmt, ...)
{
	va_list ap;

	rec_status_clear(s);
	fputs("sockrec: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

int rec_outfile_dir(struct rec_session *s)
{
	const char *path = s->opt->out_path;
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	size_t n;
	int fd, err;

	if (!slash) {
		dir[0] = '.';
		dir[1] = '\0';
		s->base_off = 0;
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(dir)) {
			say(s, "opening %s: %s\n", path, strerror(ENAMETOOLONG));
			return -ENAMETOOLONG;
		}
		memcpy(dir, path, n);
		dir[n] = '\0';
		s->base_off = (size_t)(slash + 1 - path);
	}
	if (path[s->base_off] == '\0') {
		say(s, "opening %s: %s\n", path, strerror(EISDIR));
		return -EISDIR;
	}
	/* O_PATH: creating, checking and removing need no read access. */
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		say(s, "opening %s: %s\n", path, strerror(-err));
		return err;
	}
	s->dir_fd = fd;
	return 0;
}

static const char *kind_of(mode_t mode)
{
	if (S_ISLNK(mode))
		return "it is a symbolic link, which sockrec never follows";
	if (S_ISDIR(mode))
		return "it is a directory";
	if (S_ISFIFO(mode))
		return "it is a named pipe";
	if (S_ISSOCK(mode))
		return "it is a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "it is a device";
	return "it is not a regular file";
}

/*
 * Why an existing object may not be replaced, or NULL if it may: a regular
 * file of the effective user with one link.  Anything else could be a file
 * of someone else that a planted name leads to.
 */
static const char *refusal(const struct stat *st, char *buf, size_t size)
{
	int n;

	if (!S_ISREG(st->st_mode))
		return kind_of(st->st_mode);
	if (st->st_uid != geteuid()) {
		n = snprintf(buf, size, "it belongs to uid %lu, not to uid %lu that sockrec runs as",
			     (unsigned long)st->st_uid, (unsigned long)geteuid());
		return n < 0 || (size_t)n >= size ? "it belongs to another user" : buf;
	}
	if (st->st_nlink != 1) {
		n = snprintf(buf, size, "it has %lu hard links",
			     (unsigned long)st->st_nlink);
		return n < 0 || (size_t)n >= size ? "it has other hard links" : buf;
	}
	return NULL;
}

static int refuse(struct rec_session *s, const char *path, const char *why,
		  int err)
{
	say(s, "refusing to write %s: %s\n", path, why);
	return err;
}

/*
 * Replace an existing plain -o FILE.  The first look only spares devices
 * and pipes an open(); the decision is made on the descriptor, which no
 * rename can change.
 */
static int replace(struct rec_session *s, const char *name, const char *path,
		   int *out_fd, struct stat *st)
{
	struct stat pre;
	const char *why;
	char buf[128];
	int fd = -1, err, flags;

	if (fstatat(s->dir_fd, name, &pre, AT_SYMLINK_NOFOLLOW)) {
		err = -errno;
		say(s, "opening %s: %s\n", path, strerror(-err));
		return err;
	}
	why = refusal(&pre, buf, sizeof(buf));
	if (why)
		return refuse(s, path, why, -EPERM);
	fd = openat(s->dir_fd, name,
		    O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		if (err == -ELOOP)
			return refuse(s, path, kind_of(S_IFLNK), err);
		say(s, "opening %s: %s\n", path, strerror(-err));
		return err;
	}
	if (fstat(fd, st)) {
		err = -errno;
		say(s, "opening %s: %s\n", path, strerror(-err));
		goto fail;
	}
	why = refusal(st, buf, sizeof(buf));
	if (!why && (st->st_dev != pre.st_dev || st->st_ino != pre.st_ino))
		why = "it was replaced while sockrec opened it";
	if (why) {
		err = refuse(s, path, why, -EPERM);
		goto fail;
	}
	/* O_NONBLOCK was only for the open; regular files ignore it anyway. */
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) ||
	    ftruncate(fd, 0) || fchmod(fd, OUT_MODE)) {
		err = -errno;
		say(s, "replacing %s: %s\n", path, strerror(-err));
		goto fail;
	}
	*out_fd = fd;
	return 0;
fail:
	close(fd);
	return err;
}

int rec_outfile_open(struct rec_session *s, const char *path, bool may_replace,
		     int *out_fd)
{
	const char *name = path + s->base_off;
	struct stat st;
	int fd, err;

	fd = openat(s->dir_fd, name,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
		    OUT_MODE);
	if (fd >= 0) {
		if (fstat(fd, &st)) {
			err = -errno;
			say(s, "opening %s: %s\n", path, strerror(-err));
			close(fd);
			return err;
		}
		s->out_created = true;
	} else if (errno == EEXIST && may_replace) {
		err = replace(s, name, path, &fd, &st);
		if (err)
			return err;
		s->out_created = false;
	} else if (errno == EEXIST) {
		say(s, "creating %s: it exists already, and "
			"sockrec writes a rotated file only if it creates it\n",
			path);
		return -EEXIST;
	} else {
		err = -errno;
		say(s, "opening %s: %s\n", path, strerror(-err));
		return err;
	}
	s->out_id.dev = st.st_dev;
	s->out_id.ino = st.st_ino;
	*out_fd = fd;
	return 0;
}

/* "BASE.N" with N all digits: a name of a rotated series of BASE. */
static bool series_name(const char *name, const char *base, size_t blen)
{
	const char *p;

	if (strncmp(name, base, blen) != 0 || name[blen] != '.' ||
	    name[blen + 1] == '\0')
		return false;
	for (p = name + blen + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

int rec_outfile_no_series(struct rec_session *s)
{
	const char *base = s->opt->out_path + s->base_off;
	size_t blen = strlen(base);
	struct dirent *d;
	unsigned more = 0;
	char found[NAME_MAX + 1] = "";
	DIR *dir;
	int fd, err = 0;

	fd = openat(s->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(dir = fdopendir(fd))) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		say(s, "listing the directory of %s: %s\n",
			s->opt->out_path, strerror(-err));
		return err;
	}
	errno = 0;
	while ((d = readdir(dir))) {
		if (!series_name(d->d_name, base, blen))
			continue;
		if (found[0])
			more++;
		else	/* d_name holds NAME_MAX bytes at most */
			memcpy(found, d->d_name, strnlen(d->d_name, NAME_MAX));
		errno = 0;
	}
	if (errno) {
		err = -errno;
		say(s, "listing the directory of %s: %s\n",
			s->opt->out_path, strerror(-err));
	}
	closedir(dir);
	if (err)
		return err;
	if (!found[0])
		return 0;
	/* Stale files would mix with this capture's in 'ls -v FILE.*'. */
	say(s, "refusing to start: %.*s%s exists", (int)s->base_off,
		s->opt->out_path, found);
	if (more)
		fprintf(stderr, " (and %u more %s.N)", more, s->opt->out_path);
	fprintf(stderr, " already, and 'ls -v %s.*' would mix it with this "
		"capture's files; move it away or choose another -o\n",
		s->opt->out_path);
	return -EEXIST;
}

int rec_outfile_remove(struct rec_session *s, const char *path,
		       const struct rec_file_id *id)
{
	const char *name = path + s->base_off;
	struct stat st;
	int err;

	if (fstatat(s->dir_fd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		err = -errno;
		/* Gone already: someone else removed it, nothing to do. */
		if (err == -ENOENT)
			return 0;
		say(s, "removing %s: %s\n", path, strerror(-err));
		return err;
	}
	if (st.st_dev != id->dev || st.st_ino != id->ino) {
		say(s, "not removing %s: it is no longer the "
			"file sockrec wrote\n", path);
		return -ESTALE;
	}
	/*
	 * Whoever can swap the name between these two calls can write the
	 * directory, and could remove what is behind the name anyway.
	 */
	if (unlinkat(s->dir_fd, name, 0) && errno != ENOENT) {
		err = -errno;
		say(s, "removing %s: %s\n", path, strerror(-err));
		return err;
	}
	return 0;
}

bool rec_outfile_gone(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_nlink == 0;
}
