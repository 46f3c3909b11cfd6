// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of sockrec's namespace side (record/diag_ns.c): the inode
 * read from a /proc/<pid>/ns/net link without following it, and the
 * sock_diag socket and netstat kept for sockrec's own namespace.
 *
 * record/ is not a library the tests link, and the code worth testing is
 * static, so the files are included whole.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "record/diag_nl.c"
#include "record/diag_ns.c"

/* The inode a link's text gives; the dangling target makes a stat fail. */
static int link_ino(const char *text, uint32_t *ino)
{
	char dir[] = "/tmp/skr-nslink-XXXXXX";
	int dfd, rc;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);
	ck_assert_int_eq(symlinkat(text, dfd, "net"), 0);
	rc = ns_link_ino(dfd, "net", ino);
	ck_assert_int_eq(unlinkat(dfd, "net", 0), 0);
	close(dfd);
	ck_assert_int_eq(rmdir(dir), 0);
	return rc;
}

START_TEST(test_link_text)
{
	uint32_t ino = 0;

	ck_assert_int_eq(link_ino("net:[4026531840]", &ino), 0);
	ck_assert_uint_eq(ino, 4026531840u);
	ck_assert_int_eq(link_ino("net:[7]", &ino), 0);
	ck_assert_uint_eq(ino, 7);
	/* Not the kernel's text: stat'ed, and a dangling link fails. */
	ino = 1;
	ck_assert_int_eq(link_ino("net:[4294967296]", &ino), -1);
	ck_assert_int_eq(link_ino("net:[12]x", &ino), -1);
	ck_assert_int_eq(link_ino("net:[12", &ino), -1);
	ck_assert_int_eq(link_ino("net:[]", &ino), -1);
	ck_assert_int_eq(link_ino("net:[-3]", &ino), -1);
	ck_assert_int_eq(link_ino("mnt:[4026531840]", &ino), -1);
	ck_assert_uint_eq(ino, 1);
}
END_TEST

/* The real link: what it reads is what a stat through it gives. */
START_TEST(test_link_proc)
{
	struct stat st;
	uint32_t ino = 0;
	int dfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ck_assert_int_ge(dfd, 0);
	ck_assert_int_eq(fstatat(dfd, "self/ns/net", &st, 0), 0);
	ck_assert_int_eq(ns_link_ino(dfd, "self/ns/net", &ino), 0);
	ck_assert_uint_eq(ino, (uint32_t)st.st_ino);
	errno = 0;
	ck_assert_int_eq(ns_link_ino(dfd, "0/ns/net", &ino), -1);
	ck_assert_int_eq(errno, ENOENT);
	close(dfd);
}
END_TEST

static ino_t ino_of(int fd)
{
	struct stat st;

	ck_assert_int_eq(fstat(fd, &st), 0);
	return st.st_ino;
}

static int count_sock(void *arg, const struct diag_sock *ds)
{
	(void)ds;
	++*(int *)arg;
	return 0;
}

/* TCP_LISTEN (10) in sock_diag's state mask. */
#define LISTEN_BIT	(1u << 10)

/* A listener of our own, so that a dump has something to say. */
static int listener(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	return fd;
}

static int stop_at_first(void *arg, const struct diag_sock *ds)
{
	(void)arg;
	(void)ds;
	return -ECANCELED;
}

/* A positive result of the callback's own stops the dump too. */
static int stop_positive(void *arg, const struct diag_sock *ds)
{
	(void)arg;
	(void)ds;
	return 1;
}

/*
 * Our own namespace: every visit answers through the one socket and
 * netstat kept for it, until a dump that did not end, after which the
 * socket is a new one (the old one may still hold that dump's tail).
 */
START_TEST(test_self_kept)
{
	struct diag_nl *n = NULL;
	struct diag_ns self;
	uint64_t ovf, drops;
	ino_t sock_ino, stat_ino;
	int fd, st = -1, fd2, st2 = -1, seen = 0;
	int lfd = listener();

	ck_assert_int_eq(diag_nl_open(&n), 0);
	memset(&self, 0, sizeof(self));
	self.ino = diag_nl_self_ns(n);
	fd = diag_nl_socket(n, &self, &st);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(st, 0);
	sock_ino = ino_of(fd);
	stat_ino = ino_of(st);
	ck_assert_int_eq(diag_nl_netstat(n, st, &ovf, &drops), 0);
	ck_assert_int_eq(diag_nl_dump(n, fd, AF_INET, LISTEN_BIT, true,
				      count_sock, &seen), 0);
	ck_assert_int_ge(seen, 1);
	close(fd);
	close(st);

	fd2 = diag_nl_socket(n, &self, &st2);
	ck_assert_int_ge(fd2, 0);
	ck_assert_int_ge(st2, 0);
	ck_assert_uint_eq(ino_of(fd2), sock_ino);
	ck_assert_uint_eq(ino_of(st2), stat_ino);
	/* A netstat read twice through the kept file says the same. */
	ck_assert_int_eq(diag_nl_netstat(n, st2, &ovf, &drops), 0);
	close(st2);
	/* The callback stops the dump: its tail may be left in the socket. */
	ck_assert_int_eq(diag_nl_dump(n, fd2, AF_INET, LISTEN_BIT, false,
				      stop_at_first, NULL), -ECANCELED);
	close(fd2);

	fd = diag_nl_socket(n, &self, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_ne(ino_of(fd), sock_ino);
	sock_ino = ino_of(fd);
	/* Passed back as it is, and that socket is not used again either. */
	ck_assert_int_eq(diag_nl_dump(n, fd, AF_INET, LISTEN_BIT, false,
				      stop_positive, NULL), 1);
	close(fd);
	fd = diag_nl_socket(n, &self, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_ne(ino_of(fd), sock_ino);
	close(fd);
	diag_nl_close(n);
	close(lfd);
}
END_TEST

static Suite *diag_ns_suite(void)
{
	Suite *s = suite_create("diag_ns");
	TCase *tc = tcase_create("links");

	tcase_add_test(tc, test_link_text);
	tcase_add_test(tc, test_link_proc);
	suite_add_tcase(s, tc);
	tc = tcase_create("self");
	tcase_add_test(tc, test_self_kept);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(diag_ns_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
