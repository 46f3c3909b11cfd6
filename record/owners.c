// SPDX-License-Identifier: BSD-2-Clause
/*
 * The sockets of the processes the task filters select, for what sock_diag
 * lists (record/diag.c).  bpf/filter.h admits a socket when a task that
 * matches every task filter acts on it: its tgid is in the -p set, its own
 * (thread) name equals --comm, it runs in the --cgroup directory or below.
 * Here a process is taken when one of its threads matches the same way, and
 * its sockets are those its fd table links to (socket:[INODE]); threads
 * share that table.  A socket no matching process holds open (an accepted
 * connection not yet accept()ed, an orphan, one held only by a process whose
 * fds sockrec cannot read) has no owner and is left out.
 *
 * Namespaces are remembered once a matching process was seen in one: after
 * -Z, /proc/PID/ns/net of another user's process cannot be read any more,
 * and its namespace must not drop out of the samples for that.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "record/diag.h"
#include "record/owners.h"
#include "record/sockrec.h"

/* Socket inodes of matching processes kept at most (4 bytes each). */
#define OWNED_MAX	(1u << 22)
/* cgroup tree walked at most: directories, depth, thread ids. */
#define CG_DIRS_MAX	4096u
#define CG_DEPTH_MAX	32
#define CG_IDS_MAX	(1u << 20)
/* "socket:[4294967295]" and a little more. */
#define LINK_MAX_LEN	64

struct u32set {
	uint32_t *v;
	size_t n, cap, max;
};

static int set_add(struct u32set *s, uint32_t x)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		uint32_t *v;

		if (s->cap >= s->max)
			return -E2BIG;
		if (cap > s->max)
			cap = s->max;
		v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = x;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void set_sort(struct u32set *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp_u32);
}

static bool set_has(const uint32_t *v, size_t n, uint32_t x)
{
	return n && bsearch(&x, v, n, sizeof(*v), cmp_u32) != NULL;
}

static bool parse_u32(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 10)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* A whole small file of dfd into buf (terminated); its length or -errno. */
static ssize_t read_small(int dfd, const char *name, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = diag_read_text(fd, buf, size);
	close(fd);
	return n;
}

/* The ids listed in a cgroup.threads (or cgroup.procs) file, into ids. */
static int read_ids(int dfd, const char *name, struct u32set *ids)
{
	char buf[4096], *p, *nl;
	size_t carry = 0;
	int fd, err = 0;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r = read(fd, buf + carry, sizeof(buf) - 1 - carry);
		uint32_t id;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = r < 0 ? -errno : 0;
			break;
		}
		buf[carry + (size_t)r] = '\0';
		p = buf;
		while ((nl = strchr(p, '\n')) != NULL && !err) {
			if (parse_u32(p, (size_t)(nl - p), &id))
				err = set_add(ids, id);
			p = nl + 1;
		}
		carry = strlen(p);
		if (err || carry >= sizeof(buf) / 2)
			break;	/* no id is that long: not a cgroup file */
		memmove(buf, p, carry);
	}
	close(fd);
	return err;
}

/* The directory NAME below DFD, opened for reading; NULL if it cannot be. */
static DIR *opendir_at(int dfd, const char *name)
{
	DIR *d;
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

/*
 * The threads of the cgroup dfd and of every cgroup below it, as
 * bpf_current_task_under_cgroup() counts them.  cgroup.threads lists thread
 * ids in every kind of v2 cgroup; cgroup.procs (process ids) is the
 * fallback of kernels before it.
 */
static int cgroup_ids(int dfd, int depth, unsigned *dirs, struct u32set *ids)
{
	struct dirent *de;
	DIR *d;
	int err;

	err = read_ids(dfd, "cgroup.threads", ids);
	if (err == -ENOENT)
		err = read_ids(dfd, "cgroup.procs", ids);
	if (err == -ENOMEM || err == -E2BIG)
		return err;
	if (depth >= CG_DEPTH_MAX)
		return 0;
	d = opendir_at(dfd, ".");
	if (!d)
		return 0;
	err = 0;
	while (!err && (de = readdir(d)) != NULL) {
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (++*dirs > CG_DIRS_MAX)
			break;
		sub = openat(dirfd(d), de->d_name,
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (sub < 0)
			continue;
		err = cgroup_ids(sub, depth + 1, dirs, ids);
		close(sub);
	}
	closedir(d);
	return err;
}

/* One thread of the process pfd (/proc/PID) against --comm and --cgroup. */
static bool thread_match(int taskfd, const char *tid_name, uint32_t tgid,
			 const struct rec_task_filter *tf,
			 const struct u32set *cg)
{
	char path[64], comm[32];
	uint32_t tid;
	ssize_t n;

	if (!parse_u32(tid_name, strlen(tid_name), &tid))
		return false;
	if (tf->comm) {
		if (snprintf(path, sizeof(path), "%s/comm", tid_name) >=
		    (int)sizeof(path))
			return false;
		n = read_small(taskfd, path, comm, sizeof(comm));
		if (n <= 0)
			return false;
		if (comm[n - 1] == '\n')
			comm[n - 1] = '\0';
		if (strcmp(comm, tf->comm) != 0)
			return false;
	}
	if (tf->cgroup_fd >= 0 && !set_has(cg->v, cg->n, tid) &&
	    !set_has(cg->v, cg->n, tgid))
		return false;
	return true;
}

static bool process_match(int pfd, uint32_t tgid,
			  const struct rec_task_filter *tf,
			  const struct u32set *cg)
{
	struct dirent *de;
	bool match = false;
	DIR *d;
	int fd;

	if (tf->npids) {
		unsigned i;

		for (i = 0; i < tf->npids && tf->pids[i] != tgid; i++)
			;
		if (i == tf->npids)
			return false;
	}
	if (!tf->comm && tf->cgroup_fd < 0)
		return true;
	fd = openat(pfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return false;
	}
	while (!match && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			match = thread_match(dirfd(d), de->d_name, tgid, tf, cg);
	closedir(d);
	return match;
}

static void add_netns(struct owners *o, int pfd)
{
	struct stat st;
	unsigned i;

	if (fstatat(pfd, "ns/net", &st, 0))
		return;
	for (i = 0; i < o->nnetns; i++)
		if (o->netns[i] == (uint32_t)st.st_ino)
			return;
	if (o->nnetns < DIAG_NS_MAX)
		o->netns[o->nnetns++] = (uint32_t)st.st_ino;
}

/* The socket inodes in the fd table of /proc/PID. */
static int add_sockets(int pfd, struct u32set *socks)
{
	static const char pre[] = "socket:[";
	char link[LINK_MAX_LEN];
	struct dirent *de;
	DIR *d;
	int err = 0;

	d = opendir_at(pfd, "fd");
	if (!d)
		return 0;
	while (!err && (de = readdir(d)) != NULL) {
		ssize_t n = readlinkat(dirfd(d), de->d_name, link, sizeof(link));
		uint32_t ino;

		if (n <= (ssize_t)sizeof(pre) || n >= (ssize_t)sizeof(link) ||
		    memcmp(link, pre, sizeof(pre) - 1) != 0 || link[n - 1] != ']')
			continue;
		if (parse_u32(link + sizeof(pre) - 1,
			      (size_t)n - sizeof(pre), &ino))
			err = set_add(socks, ino);
	}
	closedir(d);
	return err;
}

static int scan_pid(struct owners *o, const struct rec_task_filter *tf,
		    const struct u32set *cg, struct u32set *socks,
		    const char *name)
{
	char path[32];
	uint32_t tgid;
	int pfd, err = 0;

	if (!parse_u32(name, strlen(name), &tgid) ||
	    snprintf(path, sizeof(path), "/proc/%s", name) >= (int)sizeof(path))
		return 0;
	/* The directory pins the process: a reused pid cannot slip in. */
	pfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return 0;
	if (process_match(pfd, tgid, tf, cg)) {
		add_netns(o, pfd);
		err = add_sockets(pfd, socks);
	}
	close(pfd);
	return err;
}

int owners_scan(struct owners *o, const struct rec_task_filter *tf)
{
	struct u32set cg = { .max = CG_IDS_MAX };
	struct u32set socks = { .max = OWNED_MAX };
	struct dirent *de;
	unsigned dirs = 0;
	DIR *d = NULL;
	int err = 0;

	o->scan_ms = rec_mono_ms();
	o->scanned = true;
	if (tf->cgroup_fd >= 0) {
		/* Past its bounds the cgroup's threads are partly known. */
		err = cgroup_ids(tf->cgroup_fd, 0, &dirs, &cg);
		if (err && err != -E2BIG)
			goto out;
		err = 0;
		set_sort(&cg);
	}
	if (tf->npids) {
		/* Only those processes can match: no need to walk /proc. */
		unsigned i;
		char name[16];

		for (i = 0; i < tf->npids && !err; i++) {
			if (snprintf(name, sizeof(name), "%u", tf->pids[i]) >=
			    (int)sizeof(name))
				continue;
			err = scan_pid(o, tf, &cg, &socks, name);
		}
	} else {
		d = opendir("/proc");
		if (!d) {
			err = -errno;
			goto out;
		}
		while (!err && (de = readdir(d)) != NULL)
			if (de->d_name[0] >= '0' && de->d_name[0] <= '9')
				err = scan_pid(o, tf, &cg, &socks, de->d_name);
	}
	/* Past the bound the set is partial: sockets beyond it are left out. */
	if (err == -E2BIG)
		err = 0;
	set_sort(&socks);
	free(o->socks);
	o->socks = socks.v;
	o->nsocks = socks.n;
	o->cap = socks.cap;
	socks.v = NULL;
out:
	if (d)
		closedir(d);
	if (err && !o->warned) {
		o->warned = true;
		fprintf(stderr, "sockrec: finding the sockets of filtered processes: %s\n",
			strerror(-err));
	}
	free(socks.v);
	free(cg.v);
	return err == -ENOMEM ? err : 0;
}

bool owners_sock(const struct owners *o, uint32_t inode)
{
	return inode && set_has(o->socks, o->nsocks, inode);
}

bool owners_netns(const struct owners *o, uint32_t ino)
{
	unsigned i;

	for (i = 0; i < o->nnetns; i++)
		if (o->netns[i] == ino)
			return true;
	return false;
}

void owners_free(struct owners *o)
{
	free(o->socks);
	o->socks = NULL;
	o->nsocks = o->cap = 0;
}
