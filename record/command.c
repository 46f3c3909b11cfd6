// SPDX-License-Identifier: BSD-2-Clause
/*
 * sockrec -- CMD ARGS...: the command's cgroup, its start and its end
 * (record/command.h says how the pieces fit).
 *
 * Three processes take part.  The recorder (this one) may give up root
 * (-Z) once the probes are attached.  The command is forked at once and
 * waits on a pipe, moved into the cgroup by the recorder, until
 * rec_command_start() writes one byte: if the recorder dies first the pipe
 * only gives end-of-file and the command exits without running.  The
 * keeper is forked before anything else can need it and stays root with
 * nothing but the cgroup mount open; when the recorder closes its pipe (at
 * the end, or by dying) it removes the cgroup, if the name still leads to
 * the directory sockrec made and the kernel agrees that it is empty.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <mntent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "record/command.h"
#include "record/sockrec.h"

#define CGROUP2_SUPER_MAGIC	0x63677270
/*
 * A process that has exited can take a moment to leave its cgroup for
 * rmdir's count; past this (25 x 20 ms) what is left is alive.
 */
#define RMDIR_TRIES		25
#define RMDIR_WAIT_NS		20000000L
#define FD_SCAN_MAX		4096	/* without close_range(): fds closed one by one */

static struct {
	int root_fd;			/* the cgroup v2 mount; -1: none */
	int cg_fd;			/* our cgroup, while setting up; -1: none */
	char name[64];			/* our cgroup's name in root_fd */
	char path[PATH_MAX];		/* its full path: filter record, messages */
	dev_t dev;			/* what mkdir made */
	ino_t ino;
	bool made;
	pid_t keeper;			/* 0: none */
	int keeper_fd;			/* the keeper's pipe, write end; -1: none */
	pid_t pid;			/* the command; 0: none */
	int go_fd;			/* its start pipe, write end; -1: none */
	bool started;			/* let go: it may have run */
	bool reaped;
	int status;			/* wait status once reaped; -1: unknown */
} c = {
	.root_fd = -1, .cg_fd = -1, .keeper_fd = -1, .go_fd = -1, .status = -1,
};

/* The running command for the signal handler; 0 once reaped, so no signal
 * can reach a process that took over its pid. */
static volatile sig_atomic_t fwd_pid;

/* Where cgroup v2 is mounted: unified, hybrid (cgroup/unified) or elsewhere. */
static int find_cgroup2(char *dir, size_t size)
{
	struct mntent *m;
	FILE *f;
	int err = -ENOENT, n;

	f = setmntent("/proc/self/mounts", "re");
	if (!f)
		return -errno;
	while ((m = getmntent(f)) != NULL) {
		if (strcmp(m->mnt_type, "cgroup2") != 0)
			continue;
		n = snprintf(dir, size, "%s", m->mnt_dir);
		err = n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
		break;
	}
	endmntent(f);
	return err;
}

static int make_cgroup(const char *dir)
{
	struct statfs sfs;
	struct stat st;
	uint32_t r;
	int n, err;

	c.root_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c.root_fd < 0) {
		err = -errno;
		fprintf(stderr, "sockrec: opening the cgroup v2 mount %s: %s\n",
			dir, strerror(-err));
		return err;
	}
	if (fstatfs(c.root_fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		fprintf(stderr, "sockrec: %s is not a cgroup v2 file system\n", dir);
		return -EINVAL;
	}
	/* The pid makes the name unique among running sockrecs, r among dead ones. */
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)time(NULL);
	n = snprintf(c.name, sizeof(c.name), "sockrec-%ld-%08x", (long)getpid(),
		     (unsigned)r);
	if (n < 0 || (size_t)n >= sizeof(c.name))
		return -ENAMETOOLONG;
	n = snprintf(c.path, sizeof(c.path), "%s/%s", dir, c.name);
	if (n < 0 || (size_t)n >= sizeof(c.path))
		return -ENAMETOOLONG;
	/* mkdir never reuses what exists: a cgroup of that name is not ours. */
	if (mkdirat(c.root_fd, c.name, 0755)) {
		err = -errno;
		fprintf(stderr, "sockrec: creating cgroup %s: %s\n", c.path,
			strerror(-err));
		return err;
	}
	c.made = true;
	c.cg_fd = openat(c.root_fd, c.name,
			 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (c.cg_fd < 0 || fstat(c.cg_fd, &st)) {
		err = -errno;
		/* Not known to be ours: the keeper must leave it. */
		c.made = false;
		fprintf(stderr, "sockrec: opening cgroup %s: %s\n", c.path,
			strerror(-err));
		return err;
	}
	c.dev = st.st_dev;
	c.ino = st.st_ino;
	return 0;
}

/* Only the directory mkdir made, and only once the kernel finds it empty. */
static int remove_cgroup(void)
{
	const struct timespec pause = { 0, RMDIR_WAIT_NS };
	struct stat st;
	int i, err = 0;

	for (i = 0; i < RMDIR_TRIES; i++) {
		if (fstatat(c.root_fd, c.name, &st, AT_SYMLINK_NOFOLLOW)) {
			err = errno == ENOENT ? 0 : -errno;
			break;
		}
		if (!S_ISDIR(st.st_mode) || st.st_dev != c.dev || st.st_ino != c.ino) {
			err = -ESTALE;
			break;
		}
		if (unlinkat(c.root_fd, c.name, AT_REMOVEDIR) == 0) {
			err = 0;
			break;
		}
		err = -errno;
		if (err != -EBUSY)
			break;
		nanosleep(&pause, NULL);
	}
	if (err == -EBUSY)
		fprintf(stderr, "sockrec: cgroup %s is left in place: processes the "
			"command started (or cgroups it made) are still in it\n",
			c.path);
	else if (err == -ESTALE)
		fprintf(stderr, "sockrec: cgroup %s is left in place: the name no "
			"longer leads to the cgroup sockrec made\n", c.path);
	else if (err)
		fprintf(stderr, "sockrec: removing cgroup %s: %s\n", c.path,
			strerror(-err));
	return err;
}

/* Close every descriptor above stderr but keep1 and keep2. */
static void close_all_but(int keep1, int keep2)
{
	int lo = keep1 < keep2 ? keep1 : keep2;
	int hi = keep1 < keep2 ? keep2 : keep1;
	int fd;

	if ((lo > 3 && close_range(3, (unsigned)lo - 1, 0)) ||
	    (hi > lo + 1 && close_range((unsigned)lo + 1, (unsigned)hi - 1, 0)) ||
	    close_range((unsigned)hi + 1, ~0u, 0)) {
		for (fd = 3; fd < FD_SCAN_MAX; fd++)
			if (fd != keep1 && fd != keep2)
				(void)close(fd);
	}
}

/*
 * The keeper: a copy of the BPF or perf descriptors would keep programs
 * attached after the recorder detached them, so it keeps only its pipe and
 * the mount.  Signals meant for the recorder or the command (a terminal's
 * ^C reaches the whole process group) must not end it early.
 */
static void keeper_main(int rfd)
{
	static const int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1,
				       SIGPIPE };
	struct sigaction sa;
	char b;
	ssize_t n;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		(void)sigaction(ignored[i], &sa, NULL);
	close_all_but(rfd, c.root_fd);
	do
		n = read(rfd, &b, 1);
	while (n > 0 || (n < 0 && errno == EINTR));
	_exit(remove_cgroup() ? 1 : 0);
}

static int start_keeper(void)
{
	int p[2], err;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		keeper_main(p[0]);
	}
	err = pid < 0 ? -errno : 0;
	close(p[0]);
	if (err) {
		close(p[1]);
		fprintf(stderr, "sockrec: starting the cgroup keeper: %s\n",
			strerror(-err));
		return err;
	}
	c.keeper = pid;
	c.keeper_fd = p[1];
	return 0;
}

/* The command's side of the fork: wait for the go, become -Z USER, exec. */
static void command_main(const struct rec_options *o, int go)
{
	char b;
	ssize_t n;
	int err;

	/* With -o -, standard output carries the trace: the command's goes to stderr. */
	if (strcmp(o->out_path, "-") == 0 && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		_exit(127);
	do
		n = read(go, &b, 1);
	while (n < 0 && errno == EINTR);
	/* No go: the recorder failed or died, and nothing runs unrecorded. */
	if (n != 1)
		_exit(127);
	close(go);
	if (o->user) {
		if (initgroups(o->user, o->gid) || setgid(o->gid) ||
		    setuid(o->uid)) {
			err = errno;
			fprintf(stderr, "sockrec: running the command as %s: %s\n",
				o->user, strerror(err));
			_exit(127);
		}
		if (o->uid != 0 && setuid(0) == 0) {
			fprintf(stderr, "sockrec: running the command as %s: "
				"still privileged\n", o->user);
			_exit(127);
		}
	}
	execvp(o->cmd[0], o->cmd);
	err = errno;
	fprintf(stderr, "sockrec: running %s: %s\n", o->cmd[0], strerror(err));
	/* As shells do: not found, or found and not runnable. */
	_exit(err == ENOENT ? 127 : 126);
}

static int start_command(const struct rec_options *o)
{
	struct sigaction dfl, old;
	char buf[32];
	int p[2], fd, n, err;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	/*
	 * An ignored SIGCHLD would reap the command before its status is
	 * read; the command itself gets the disposition sockrec was given.
	 */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	if (sigaction(SIGCHLD, &dfl, &old)) {
		err = -errno;
		close(p[0]);
		close(p[1]);
		return err;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		(void)sigaction(SIGCHLD, &old, NULL);
		command_main(o, p[0]);
	}
	err = pid < 0 ? -errno : 0;
	close(p[0]);
	if (err) {
		close(p[1]);
		fprintf(stderr, "sockrec: starting %s: %s\n", o->cmd[0],
			strerror(-err));
		return err;
	}
	c.pid = pid;
	c.go_fd = p[1];

	/* Into the cgroup while it waits: its first instruction is filtered. */
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)pid);
	if (n <= 0 || (size_t)n >= sizeof(buf))
		return -EINVAL;
	fd = openat(c.cg_fd, "cgroup.procs", O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, (size_t)n) != n) {
		err = errno ? -errno : -EIO;
		fprintf(stderr, "sockrec: moving %s into cgroup %s: %s\n",
			o->cmd[0], c.path, strerror(-err));
	}
	if (fd >= 0)
		close(fd);
	return err;
}

int rec_command_prepare(const struct rec_options *o)
{
	struct rec_task_filter tf;
	char dir[PATH_MAX];
	const char *why = "--cgroup: '%s'";
	struct stat st;
	int err;

	if (!o->cmd)
		return 0;
	err = find_cgroup2(dir, sizeof(dir));
	if (err == -ENOENT) {
		fprintf(stderr, "sockrec: recording a command needs a cgroup v2 "
			"hierarchy, and none is mounted here (mount -t cgroup2 "
			"none /sys/fs/cgroup; 'ip netns exec' hides it: run "
			"'sockrec ... -- ip netns exec NS CMD' instead)\n");
		return err;
	}
	if (err) {
		fprintf(stderr, "sockrec: looking for the cgroup v2 mount: %s\n",
			strerror(-err));
		return err;
	}
	err = make_cgroup(dir);
	if (err)
		return err;
	/* The --cgroup filter, in the kernel and in the snapshot, does the rest. */
	err = rec_filters_parse(REC_FILTER_CGROUP, c.path, &why);
	if (err) {
		fputs("sockrec: ", stderr);
		fprintf(stderr, why, c.path);
		fprintf(stderr, ": %s\n", strerror(-err));
		return err;
	}
	if (!rec_filters_task(&tf) || tf.cgroup_fd < 0 || fstat(tf.cgroup_fd, &st) ||
	    st.st_dev != c.dev || st.st_ino != c.ino) {
		fprintf(stderr, "sockrec: cgroup %s changed while it was set up\n",
			c.path);
		return -ESTALE;
	}
	err = start_keeper();
	if (!err)
		err = start_command(o);
	close(c.cg_fd);
	c.cg_fd = -1;
	return err;
}

int rec_command_start(void)
{
	char go = 'g';
	ssize_t n;

	if (!c.pid || c.started || c.go_fd < 0)
		return 0;
	/* Forwarding starts with the go: a signal just after it reaches CMD. */
	fwd_pid = c.pid;
	c.started = true;
	do
		n = write(c.go_fd, &go, 1);
	while (n < 0 && errno == EINTR);
	close(c.go_fd);
	c.go_fd = -1;
	/* A command that died while held shows it in its status. */
	return 0;
}

/* Reap the command if it has exited (or wait for it if block). */
static bool reap(bool block)
{
	siginfo_t si;
	pid_t r;
	int st;

	if (!c.pid)
		return false;
	if (c.reaped)
		return true;
	for (;;) {
		memset(&si, 0, sizeof(si));
		/* WNOWAIT: the pid stays the command's until fwd_pid is cleared. */
		if (waitid(P_PID, (id_t)c.pid, &si,
			   WEXITED | WNOWAIT | (block ? 0 : WNOHANG)) == 0)
			break;
		if (errno != EINTR) {
			/* ECHILD: reaped behind our back; the status is lost. */
			fwd_pid = 0;
			c.reaped = true;
			return true;
		}
	}
	if (si.si_pid != c.pid)
		return false;
	fwd_pid = 0;
	do
		r = waitpid(c.pid, &st, 0);
	while (r < 0 && errno == EINTR);
	c.status = r == c.pid ? st : -1;
	c.reaped = true;
	return true;
}

bool rec_command_exited(void)
{
	return c.started && reap(false);
}

bool rec_command_forward(int sig, const siginfo_t *si)
{
	pid_t pid = fwd_pid;
	int saved = errno;

	if (pid <= 0)
		return false;
	if (!si || si->si_code != SI_KERNEL)
		(void)kill(pid, sig);
	errno = saved;
	return true;
}

int rec_command_finish(void)
{
	int status = -1;
	pid_t r;

	if (c.pid && !c.started) {
		/* Never let go, so it ran nothing of the command. */
		(void)kill(c.pid, SIGKILL);
		if (c.go_fd >= 0)
			close(c.go_fd);
		c.go_fd = -1;
		(void)reap(true);
	} else if (c.pid) {
		(void)reap(true);
		if (c.status >= 0 && WIFEXITED(c.status))
			status = WEXITSTATUS(c.status);
		else if (c.status >= 0 && WIFSIGNALED(c.status))
			status = 128 + WTERMSIG(c.status);
	}
	c.pid = 0;
	if (c.cg_fd >= 0)
		close(c.cg_fd);
	c.cg_fd = -1;
	if (c.keeper_fd >= 0) {
		/* End of file tells the keeper to remove the cgroup. */
		close(c.keeper_fd);
		c.keeper_fd = -1;
		do
			r = waitpid(c.keeper, NULL, 0);
		while (r < 0 && errno == EINTR);
	} else if (c.made) {
		/* Set-up failed before the keeper existed: still root here. */
		(void)remove_cgroup();
	}
	c.keeper = 0;
	c.made = false;
	if (c.root_fd >= 0)
		close(c.root_fd);
	c.root_fd = -1;
	return status;
}
