// SPDX-License-Identifier: BSD-2-Clause
/*
 * In-kernel filters: the options that set them, their hand-over to the BPF
 * programs (switches in read-only data before load, value sets in maps
 * after load, before attach), and the FILTER record that says in the file
 * which filters were in force.  bpf/filter.h has the kernel side and the
 * rules for events that run on behalf of no task.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "record/sockrec.h"
#include "sockrec.skel.h"

#define SET_MAX			64	/* bpf/filter.h FILTER_SET_MAX */
#define COMM_MAX		15	/* TASK_COMM_LEN - 1 */
#define CGROUP2_SUPER_MAGIC	0x63677270
/* Where cgroup v2 is mounted: unified, or beside v1 controllers (hybrid). */
static const char *const cgroup_roots[] = {
	"/sys/fs/cgroup", "/sys/fs/cgroup/unified",
};

static struct {
	uint32_t pids[SET_MAX];
	unsigned npids;
	uint16_t ports[SET_MAX];
	unsigned nports;
	char comm[COMM_MAX + 1];
	bool comm_on;
	uint32_t netns;
	uint8_t family;
	const char *cgroup_path;	/* as given */
	uint64_t cgroup_id;
	int cgroup_fd;			/* open directory, -1 if none */
} f = { .cgroup_fd = -1 };

/*
 * The sockets the start snapshot admitted, by cookie, sorted once it is
 * done: the events bpf/filter.h held back until then (admit_pending) are
 * kept if their socket is one of these.  Bounded like the BPF map.
 */
#define HELD_MAX	65536	/* bpf/filter.h ADMITTED_MAX */
static struct {
	uint64_t *cookies;
	size_t n, cap;
	bool pending;		/* the start snapshot is not done yet */
} held;

/* A namespace inode, or a path to one (/proc/PID/ns/net, /run/netns/NAME). */
static int parse_netns(const char *arg, uint32_t *ino)
{
	struct stat st;
	uint64_t v;

	if (arg[0] == '/') {
		if (stat(arg, &st))
			return -errno;
		if (st.st_ino == 0 || st.st_ino > UINT32_MAX)
			return -ERANGE;
		*ino = (uint32_t)st.st_ino;
		return 0;
	}
	if (rec_parse_u64(arg, 1, UINT32_MAX, &v))
		return -EINVAL;
	*ino = (uint32_t)v;
	return 0;
}

/*
 * The cgroup v2 id BPF compares with is the cgroup directory's kernfs id,
 * which name_to_handle_at() returns as the file handle (and which is the
 * inode number on 64-bit hosts).
 */
static int cgroup_id(const char *path, uint64_t *id)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h;
	struct stat st;
	int mount_id;

	h.fh.handle_bytes = sizeof(h.id);
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0) == 0 &&
	    h.fh.handle_bytes == sizeof(h.id)) {
		memcpy(id, h.fh.f_handle, sizeof(*id));
		return 0;
	}
	if (stat(path, &st))
		return -errno;
	*id = st.st_ino;
	return 0;
}

static int parse_cgroup(const char *arg, const char **why)
{
	static char path[PATH_MAX];
	struct statfs sfs;
	size_t i;
	int fd, n, err;

	fd = open(arg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* "/system.slice/x" may name the cgroup rather than its directory. */
	for (i = 0; fd < 0 && arg[0] == '/' &&
		    i < sizeof(cgroup_roots) / sizeof(cgroup_roots[0]); i++) {
		n = snprintf(path, sizeof(path), "%s%s", cgroup_roots[i], arg);
		if (n <= 0 || (size_t)n >= sizeof(path))
			continue;
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 && (fstatfs(fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC)) {
			close(fd);
			fd = -1;
		}
		if (fd >= 0)
			arg = path;
	}
	if (fd < 0) {
		*why = "--cgroup: no such cgroup directory '%s'";
		return -ENOENT;
	}
	if (fstatfs(fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		*why = "--cgroup: '%s' is not in a cgroup v2 hierarchy";
		close(fd);
		return -EINVAL;
	}
	err = cgroup_id(arg, &f.cgroup_id);
	if (err) {
		*why = "--cgroup: cannot tell the id of '%s'";
		close(fd);
		return err;
	}
	if (f.cgroup_fd >= 0)
		close(f.cgroup_fd);
	f.cgroup_fd = fd;
	f.cgroup_path = arg;
	return 0;
}

int rec_filters_parse(int opt, const char *arg, const char **why)
{
	uint64_t v;

	switch (opt) {
	case REC_FILTER_PID:
		if (rec_parse_u64(arg, 1, INT32_MAX, &v)) {
			*why = "-p wants a process id, not '%s'";
			return -EINVAL;
		}
		if (f.npids == SET_MAX) {
			*why = "-p: at most 64 processes ('%s' is one too many)";
			return -E2BIG;
		}
		f.pids[f.npids++] = (uint32_t)v;
		return 0;
	case REC_FILTER_PORT:
		if (rec_parse_u64(arg, 1, 65535, &v)) {
			*why = "--port wants a port from 1 to 65535, not '%s'";
			return -EINVAL;
		}
		if (f.nports == SET_MAX) {
			*why = "--port: at most 64 ports ('%s' is one too many)";
			return -E2BIG;
		}
		f.ports[f.nports++] = (uint16_t)v;
		return 0;
	case REC_FILTER_COMM:
		if (arg[0] == '\0' || strlen(arg) > COMM_MAX) {
			*why = "--comm wants a task name of 1 to 15 bytes, not '%s'";
			return -EINVAL;
		}
		memset(f.comm, 0, sizeof(f.comm));
		memcpy(f.comm, arg, strlen(arg));
		f.comm_on = true;
		return 0;
	case REC_FILTER_NETNS:
		if (parse_netns(arg, &f.netns)) {
			*why = "--netns wants a namespace inode or a path to one, not '%s'";
			return -EINVAL;
		}
		return 0;
	case REC_FILTER_CGROUP:
		return parse_cgroup(arg, why);
	case REC_FILTER_INET:
	case REC_FILTER_INET6:
		v = opt == REC_FILTER_INET ? SKR_AF_INET : SKR_AF_INET6;
		if (f.family && f.family != v) {
			*why = "-4 and -6 exclude each other";
			return -EINVAL;
		}
		f.family = (uint8_t)v;
		return 0;
	default:
		*why = "unknown filter option";
		return -EINVAL;
	}
}

int rec_filters_setup(struct sockrec_bpf *skel)
{
	skel->rodata->filter_family = f.family;
	skel->rodata->filter_netns = f.netns;
	skel->rodata->filter_ports = f.nports > 0;
	skel->rodata->filter_tgids = f.npids > 0;
	skel->rodata->filter_comm_on = f.comm_on;
	memcpy((char *)skel->rodata->filter_comm, f.comm,
	       sizeof(skel->rodata->filter_comm));
	skel->rodata->filter_cgroup = f.cgroup_fd >= 0;
	return 0;
}

static int put_one(struct bpf_map *map, const void *key, const void *val)
{
	if (bpf_map_update_elem(bpf_map__fd(map), key, val, BPF_ANY))
		return -errno;
	return 0;
}

int rec_filters_fill(struct sockrec_bpf *skel)
{
	uint8_t one = 1;
	uint32_t zero = 0;
	unsigned i;
	int err = 0;

	for (i = 0; i < f.npids && !err; i++)
		err = put_one(skel->maps.tgid_set, &f.pids[i], &one);
	for (i = 0; i < f.nports && !err; i++)
		err = put_one(skel->maps.port_set, &f.ports[i], &one);
	if (!err && f.cgroup_fd >= 0)
		err = put_one(skel->maps.cgroup_set, &zero, &f.cgroup_fd);
	if (err)
		fprintf(stderr, "sockrec: setting up the filters: %s\n",
			strerror(-err));
	/* From attach on, until rec_filters_started(). */
	held.pending = !err && (f.npids || f.comm_on || f.cgroup_fd >= 0);
	skel->bss->admit_pending = held.pending;
	return err;
}

int rec_filters_write(struct rec_session *s)
{
	static struct skr_tlv_builder b;
	unsigned i;
	int len;

	skr_tlv_begin(&b, SKR_REC_FILTER);
	for (i = 0; i < f.npids; i++)
		skr_tlv_put_u32(&b, SKR_FILTER_PID, f.pids[i]);
	if (f.comm_on)
		skr_tlv_put_str(&b, SKR_FILTER_COMM, f.comm);
	for (i = 0; i < f.nports; i++)
		skr_tlv_put_u16(&b, SKR_FILTER_PORT, f.ports[i]);
	if (f.netns)
		skr_tlv_put_u32(&b, SKR_FILTER_NETNS, f.netns);
	if (f.cgroup_fd >= 0) {
		skr_tlv_put_str(&b, SKR_FILTER_CGROUP, f.cgroup_path);
		skr_tlv_put_u64(&b, SKR_FILTER_CGROUP_ID, f.cgroup_id);
	}
	if (f.family)
		skr_tlv_put_u8(&b, SKR_FILTER_FAMILY, f.family);
	len = skr_tlv_end(&b);
	if (len < 0)
		return len;
	return rec_write(s, b.buf, (size_t)len);
}

bool rec_filters_want_netns(uint32_t netns)
{
	return !f.netns || netns == f.netns;
}

uint32_t rec_filters_netns(void)
{
	return f.netns;
}

bool rec_filters_task(struct rec_task_filter *tf)
{
	tf->pids = f.pids;
	tf->npids = f.npids;
	tf->comm = f.comm_on ? f.comm : NULL;
	tf->cgroup_fd = f.cgroup_fd;
	return f.npids || f.comm_on || f.cgroup_fd >= 0;
}

void rec_filters_admit(struct rec_session *s, uint64_t cookie)
{
	uint8_t one = 1;

	if (!s->skel || !cookie || !(f.npids || f.comm_on || f.cgroup_fd >= 0))
		return;
	(void)bpf_map_update_elem(bpf_map__fd(s->skel->maps.admitted), &cookie,
				  &one, BPF_ANY);
	if (!held.pending || held.n == HELD_MAX)
		return;
	if (held.n == held.cap) {
		size_t cap = held.cap ? 2 * held.cap : 64;
		uint64_t *p = realloc(held.cookies, cap * sizeof(*p));

		/* Its held events are then dropped, as they were before. */
		if (!p)
			return;
		held.cookies = p;
		held.cap = cap;
	}
	held.cookies[held.n++] = cookie;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void rec_filters_started(struct rec_session *s)
{
	if (!held.pending)
		return;
	held.pending = false;
	if (s->skel)
		s->skel->bss->admit_pending = 0;
	if (held.n)
		qsort(held.cookies, held.n, sizeof(*held.cookies), cmp_u64);
}

bool rec_filters_keep_held(uint64_t cookie)
{
	/* Only read once the start snapshot is done: the set is complete. */
	return held.n && bsearch(&cookie, held.cookies, held.n,
				 sizeof(*held.cookies), cmp_u64);
}

bool rec_filters_want_sock(uint8_t family, uint16_t sport, uint16_t dport)
{
	unsigned i;

	if (f.family && family != f.family)
		return false;
	if (!f.nports)
		return true;
	for (i = 0; i < f.nports; i++)
		if (sport == f.ports[i] || dport == f.ports[i])
			return true;
	return false;
}

void rec_filters_close(void)
{
	free(held.cookies);
	memset(&held, 0, sizeof(held));
	if (f.cgroup_fd >= 0)
		close(f.cgroup_fd);
	f.cgroup_fd = -1;
}
