// SPDX-License-Identifier: BSD-2-Clause
/*
 * storm: a bounded TCP connection storm over loopback, the load that
 * `make bench` measures recorders against (docs/PERFORMANCE.md).
 *
 * Client threads open connections to one listener, send a payload and
 * close; as many server threads accept, read and close.  Which side closes
 * first decides which one ends in TIME_WAIT; spreading connections over
 * several loopback addresses gives each (source, destination) pair its own
 * ephemeral port range, so a run of many thousands never runs out.  Each
 * connection makes 10 inet_sock_set_state events (docs/KERNELS.md).
 *
 * The storm refuses to run in the host's network namespace: start it in
 * one (ip netns exec) or let it make its own (--unshare).  Overflow mode
 * makes the accept queue overflow on purpose and reports the namespace's
 * ListenOverflows/ListenDrops.  stdout gets one line of key=value results.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE	2
#define MAX_THREADS	256
#define MAX_ADDRS	250
#define MAX_PAYLOAD	(1u << 20)
#define V6_PREFIX	"fd00:5ce::"	/* -6 with -a > 1: fd00:5ce::1 .. ::N */

enum close_side { CLOSE_CLIENT, CLOSE_SERVER };

struct opts {
	uint64_t count;
	unsigned threads;
	unsigned payload;
	enum close_side closer;
	int family;
	unsigned naddrs;
	unsigned port;
	unsigned seconds;
	unsigned backlog;
	unsigned accept_delay_us;	/* overflow mode: pause between accepts */
	unsigned connect_timeout_ms;	/* overflow mode: give up on a dropped SYN */
	bool overflow;
	bool unshare_netns;
	bool host_netns;
};

/* Shared by every thread of the storm. */
struct storm {
	const struct opts *o;
	struct sockaddr_storage addrs[MAX_ADDRS];
	socklen_t addrlen;
	int lfd;
	const char *payload;
	atomic_uint_fast64_t next;	/* connections handed out to clients */
	atomic_uint_fast64_t served;	/* closed by the server side */
	atomic_uint_fast64_t failed;	/* client attempts that failed */
	atomic_uint_fast64_t timeouts;	/* overflow mode: connects given up */
	atomic_int_fast64_t queued;	/* connected, not yet accepted */
	atomic_uint clients_done;
	atomic_int first_errno;
	int64_t max_queued;		/* 0: no limit (overflow mode) */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: storm [OPTIONS]\n"
		"A bounded TCP connection storm over loopback; prints one line:\n"
		"connections=N failed=N seconds=S rate=N/s [overflow counters]\n"
		"\n"
		"  -n, --count N          connections (default 50000)\n"
		"  -t, --threads N        client threads, and as many server threads (default 2)\n"
		"  -s, --payload BYTES    bytes the client sends on each connection (default 0)\n"
		"  -c, --close SIDE       who closes first: client or server (default client)\n"
		"  -6, --ipv6             IPv6 (addresses ::1, or " V6_PREFIX "1..N with -a N > 1)\n"
		"  -a, --addrs N          spread over N loopback addresses 127.0.0.1..N (default 4)\n"
		"  -p, --port PORT        listener port (default 5000)\n"
		"  -T, --timeout SECONDS  give up after SECONDS (default 60)\n"
		"  -b, --backlog N        listen backlog (default 4096; 8 with --overflow)\n"
		"  -O, --overflow         overflow the accept queue: a slow acceptor, clients\n"
		"                         that give up on a dropped SYN\n"
		"      --accept-delay US  overflow mode: pause between accepts (default 1000)\n"
		"      --connect-timeout MS  overflow mode: connect timeout (default 100)\n"
		"  -U, --unshare          run in a new network namespace of its own\n"
		"      --host-netns       allow running in the host's network namespace\n"
		"      --help             show this help and exit\n");
}

static int misuse(const char *what, const char *arg)
{
	fprintf(stderr, "storm: %s '%s'\nTry 'storm --help'.\n", what, arg);
	return EXIT_USAGE;
}

static int parse_num(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static int parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	uint64_t v;

	if (parse_num(s, min, max, &v))
		return -ERANGE;
	*out = (unsigned)v;
	return 0;
}

/* Returns -1 to go on, or the exit status. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_HELP = 256, OPT_HOST, OPT_DELAY, OPT_CTIMEOUT };
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 't' },
		{ "payload", required_argument, NULL, 's' },
		{ "close", required_argument, NULL, 'c' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "addrs", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "backlog", required_argument, NULL, 'b' },
		{ "overflow", no_argument, NULL, 'O' },
		{ "unshare", no_argument, NULL, 'U' },
		{ "accept-delay", required_argument, NULL, OPT_DELAY },
		{ "connect-timeout", required_argument, NULL, OPT_CTIMEOUT },
		{ "host-netns", no_argument, NULL, OPT_HOST },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	bool backlog_set = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:t:s:c:6a:p:T:b:OU", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_num(optarg, 1, 1000000000ull, &o->count))
				return misuse("-n wants a count from 1, not", optarg);
			break;
		case 't':
			if (parse_uint(optarg, 1, MAX_THREADS, &o->threads))
				return misuse("-t wants 1 to 256 threads, not", optarg);
			break;
		case 's':
			if (parse_uint(optarg, 0, MAX_PAYLOAD, &o->payload))
				return misuse("-s wants 0 to 1048576 bytes, not", optarg);
			break;
		case 'c':
			if (strcmp(optarg, "client") == 0)
				o->closer = CLOSE_CLIENT;
			else if (strcmp(optarg, "server") == 0)
				o->closer = CLOSE_SERVER;
			else
				return misuse("-c wants client or server, not", optarg);
			break;
		case '6':
			o->family = AF_INET6;
			break;
		case 'a':
			if (parse_uint(optarg, 1, MAX_ADDRS, &o->naddrs))
				return misuse("-a wants 1 to 250 addresses, not", optarg);
			break;
		case 'p':
			if (parse_uint(optarg, 1, 65535, &o->port))
				return misuse("-p wants a port from 1 to 65535, not", optarg);
			break;
		case 'T':
			if (parse_uint(optarg, 1, 86400, &o->seconds))
				return misuse("-T wants 1 to 86400 seconds, not", optarg);
			break;
		case 'b':
			if (parse_uint(optarg, 1, 65535, &o->backlog))
				return misuse("-b wants a backlog from 1 to 65535, not", optarg);
			backlog_set = true;
			break;
		case 'O':
			o->overflow = true;
			break;
		case 'U':
			o->unshare_netns = true;
			break;
		case OPT_DELAY:
			if (parse_uint(optarg, 0, 1000000, &o->accept_delay_us))
				return misuse("--accept-delay wants 0 to 1000000 us, not", optarg);
			break;
		case OPT_CTIMEOUT:
			if (parse_uint(optarg, 1, 60000, &o->connect_timeout_ms))
				return misuse("--connect-timeout wants 1 to 60000 ms, not", optarg);
			break;
		case OPT_HOST:
			o->host_netns = true;
			break;
		case OPT_HELP:
			usage(stdout);
			return fflush(stdout) ? 1 : 0;
		case ':':
			return misuse("option needs an argument:", argv[optind - 1]);
		default:
			return misuse("unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return misuse("unexpected argument", argv[optind]);
	if (o->overflow && !backlog_set)
		o->backlog = 8;
	return -1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void note_errno(struct storm *st, int err)
{
	int zero = 0;

	atomic_compare_exchange_strong(&st->first_errno, &zero, err);
}

static int fill_addrs(struct storm *st)
{
	const struct opts *o = st->o;
	unsigned i;

	for (i = 0; i < o->naddrs; i++) {
		struct sockaddr_storage *ss = &st->addrs[i];

		memset(ss, 0, sizeof(*ss));
		if (o->family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
			char text[64];
			int n;

			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((uint16_t)o->port);
			if (o->naddrs == 1) {
				s6->sin6_addr = in6addr_loopback;
				continue;
			}
			n = snprintf(text, sizeof(text), V6_PREFIX "%x", i + 1);
			if (n < 0 || (size_t)n >= sizeof(text) ||
			    inet_pton(AF_INET6, text, &s6->sin6_addr) != 1)
				return -EINVAL;
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)o->port);
			s4->sin_addr.s_addr = htonl(0x7f000000u + i + 1);
		}
	}
	st->addrlen = o->family == AF_INET6 ? sizeof(struct sockaddr_in6)
					    : sizeof(struct sockaddr_in);
	return 0;
}

/* One listener on the wildcard address serves every loopback address. */
static int open_listener(const struct storm *st)
{
	const struct opts *o = st->o;
	struct sockaddr_storage ss;
	int fd, one = 1, err;

	memset(&ss, 0, sizeof(ss));
	if (o->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)o->port);
		s6->sin6_addr = in6addr_any;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)o->port);
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
	}
	fd = socket(o->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (o->family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    bind(fd, (struct sockaddr *)&ss, st->addrlen) ||
	    listen(fd, (int)o->backlog)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Read until EOF or until want bytes came (want 0: until EOF). */
static int drain(int fd, uint64_t want)
{
	char buf[16384];
	uint64_t got = 0;

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		got += (uint64_t)n;
		if (want && got >= want)
			return 0;
	}
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void *server_main(void *arg)
{
	struct storm *st = arg;
	const struct opts *o = st->o;

	for (;;) {
		int fd = accept4(st->lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			note_errno(st, errno);
			return NULL;
		}
		atomic_fetch_sub(&st->queued, 1);
		/* A peer that gave up mid-handshake may never send its FIN. */
		if (o->overflow) {
			struct timeval tv = { .tv_sec = 1 };

			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		}
		/*
		 * Client closes first: read to its FIN.  Server closes first:
		 * take the payload, then close while the client waits.
		 */
		if (o->closer == CLOSE_CLIENT)
			drain(fd, 0);
		else if (o->payload)
			drain(fd, o->payload);
		close(fd);
		atomic_fetch_add(&st->served, 1);
		if (o->overflow && o->accept_delay_us) {
			struct timespec d = {
				.tv_sec = o->accept_delay_us / 1000000,
				.tv_nsec = (long)(o->accept_delay_us % 1000000) * 1000,
			};

			nanosleep(&d, NULL);
		}
	}
}

/* A connect timeout: in overflow mode the kernel drops our SYN. */
static void set_connect_timeout(int fd, unsigned ms)
{
	struct timeval tv = {
		.tv_sec = ms / 1000,
		.tv_usec = (suseconds_t)(ms % 1000) * 1000,
	};

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int one_connection(struct storm *st, uint64_t idx)
{
	const struct opts *o = st->o;
	const struct sockaddr_storage *dst = &st->addrs[idx % o->naddrs];
	const struct sockaddr *addr = (const struct sockaddr *)dst;
	struct sockaddr_storage src;
	int fd, one = 1, err = 0;

	fd = socket(o->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/*
	 * Source = destination address, port chosen at connect(): each
	 * address pair then has the whole ephemeral range to itself.
	 */
	src = *dst;
	if (o->family == AF_INET6)
		((struct sockaddr_in6 *)&src)->sin6_port = 0;
	else
		((struct sockaddr_in *)&src)->sin_port = 0;
	if (o->naddrs > 1 &&
	    (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one)) ||
	     bind(fd, (struct sockaddr *)&src, st->addrlen))) {
		err = -errno;
		goto out;
	}
	if (o->overflow)
		set_connect_timeout(fd, o->connect_timeout_ms);
	atomic_fetch_add(&st->queued, 1);
	if (connect(fd, addr, st->addrlen)) {
		err = -errno;
		atomic_fetch_sub(&st->queued, 1);
		if (o->overflow && (err == -EINPROGRESS || err == -EAGAIN)) {
			atomic_fetch_add(&st->timeouts, 1);
			err = 0;	/* the outcome this mode is after */
		}
		goto out;
	}
	if (o->payload)
		err = send_all(fd, st->payload, o->payload);
	if (!err && o->closer == CLOSE_SERVER)
		err = drain(fd, 0);
out:
	close(fd);
	return err;
}

static void *client_main(void *arg)
{
	struct storm *st = arg;
	const struct opts *o = st->o;

	for (;;) {
		uint64_t idx = atomic_fetch_add(&st->next, 1);
		int err;

		if (idx >= o->count)
			break;
		/*
		 * Never let the accept queue fill: a dropped SYN costs a 1 s
		 * retransmit and would measure the timer, not the tracer.
		 */
		while (st->max_queued &&
		       atomic_load(&st->queued) >= st->max_queued)
			sched_yield();
		err = one_connection(st, idx);
		if (err) {
			note_errno(st, -err);
			atomic_fetch_add(&st->failed, 1);
		}
	}
	atomic_fetch_add(&st->clients_done, 1);
	return NULL;
}

/* TcpExt counters of this namespace; -ENOENT if the kernel has none. */
static int read_listen_counters(uint64_t *overflows, uint64_t *drops)
{
	char names[4096], values[4096];
	char *ns, *vs, *n, *v;
	FILE *f;
	int ret = -ENOENT;

	*overflows = *drops = 0;
	f = fopen("/proc/self/net/netstat", "re");
	if (!f)
		return -errno;
	while (fgets(names, sizeof(names), f) && fgets(values, sizeof(values), f)) {
		if (strncmp(names, "TcpExt:", 7) != 0)
			continue;
		n = strtok_r(names + 7, " \n", &ns);
		v = strtok_r(values + 7, " \n", &vs);
		while (n && v) {
			if (strcmp(n, "ListenOverflows") == 0)
				*overflows = strtoull(v, NULL, 10);
			else if (strcmp(n, "ListenDrops") == 0)
				*drops = strtoull(v, NULL, 10);
			n = strtok_r(NULL, " \n", &ns);
			v = strtok_r(NULL, " \n", &vs);
		}
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

static int write_proc(const char *path, const char *val)
{
	FILE *f = fopen(path, "we");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(val, f) < 0)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* lo up, a wide port range, and the -6 -a N addresses: a fresh netns. */
static int setup_netns(const struct opts *o)
{
	struct ifreq ifr;
	int fd, err = 0;
	unsigned i;

	if (unshare(CLONE_NEWNET))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		err = -errno;
		goto out;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr)) {
		err = -errno;
		goto out;
	}
	/* Not fatal: the defaults only matter for very long runs. */
	write_proc("/proc/sys/net/ipv4/ip_local_port_range", "1024 65535");
	write_proc("/proc/sys/net/core/somaxconn", "65535");
	if (o->family == AF_INET6 && o->naddrs > 1) {
		/* The kernel's struct in6_ifreq; its uapi header fights libc's. */
		struct {
			struct in6_addr addr;
			uint32_t prefixlen;
			int ifindex;
		} r6;
		int fd6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		if (fd6 < 0) {
			err = -errno;
			goto out;
		}
		for (i = 1; i <= o->naddrs && !err; i++) {
			char text[64];
			int n = snprintf(text, sizeof(text), V6_PREFIX "%x", i);

			memset(&r6, 0, sizeof(r6));
			r6.prefixlen = 128;
			r6.ifindex = (int)if_nametoindex("lo");
			if (n < 0 || (size_t)n >= sizeof(text) ||
			    inet_pton(AF_INET6, text, &r6.addr) != 1)
				err = -EINVAL;
			else if (ioctl(fd6, SIOCSIFADDR, &r6))
				err = -errno;
		}
		close(fd6);
	}
out:
	close(fd);
	return err;
}

/* The kernel numbers the initial namespace's inode (PROC_NET_INIT_INO). */
#define INIT_NETNS_INO	0xeffffff9u

static bool in_host_netns(void)
{
	struct stat self, init;

	if (stat("/proc/self/ns/net", &self))
		return false;
	if (stat("/proc/1/ns/net", &init) == 0)
		return self.st_ino == init.st_ino && self.st_dev == init.st_dev;
	return self.st_ino == INIT_NETNS_INO;
}

static int start_threads(struct storm *st, pthread_t *tids, unsigned n,
			 void *(*fn)(void *))
{
	unsigned i;
	int err;

	for (i = 0; i < n; i++) {
		err = pthread_create(&tids[i], NULL, fn, st);
		if (err)
			return -err;
		pthread_detach(tids[i]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct storm st;
	static pthread_t servers[MAX_THREADS], clients[MAX_THREADS];
	struct opts o = {
		.count = 50000, .threads = 2, .closer = CLOSE_CLIENT,
		.family = AF_INET, .naddrs = 4, .port = 5000, .seconds = 60,
		.backlog = 4096, .accept_delay_us = 1000,
		.connect_timeout_ms = 100,
	};
	uint64_t ov0 = 0, dr0 = 0, ov1 = 0, dr1 = 0, start, end, deadline, ok;
	const struct timespec tick = { .tv_nsec = 1000000 };
	bool timed_out = false;
	char *payload = NULL;
	double secs;
	int status, err;

	status = parse_args(argc, argv, &o);
	if (status >= 0)
		return status;
	if (o.unshare_netns) {
		err = setup_netns(&o);
		if (err) {
			fprintf(stderr, "storm: setting up a network namespace: %s\n",
				strerror(-err));
			return 1;
		}
	} else if (!o.host_netns && in_host_netns()) {
		fprintf(stderr, "storm: refusing to storm the host's network namespace; "
			"use --unshare, ip netns exec, or --host-netns\n");
		return 1;
	}
	st.o = &o;
	st.max_queued = o.overflow ? 0 : (int64_t)(o.backlog / 2 ? o.backlog / 2 : 1);
	if (o.payload) {
		payload = malloc(o.payload);
		if (!payload) {
			fprintf(stderr, "storm: allocating the payload: %s\n",
				strerror(ENOMEM));
			return 1;
		}
		memset(payload, 'x', o.payload);
		st.payload = payload;
	}
	status = 1;
	if (fill_addrs(&st)) {
		fprintf(stderr, "storm: building addresses: %s\n", strerror(EINVAL));
		goto out;
	}
	st.lfd = open_listener(&st);
	if (st.lfd < 0) {
		fprintf(stderr, "storm: listening on port %u: %s\n", o.port,
			strerror(-st.lfd));
		goto out;
	}
	read_listen_counters(&ov0, &dr0);

	start = now_ns();
	deadline = start + (uint64_t)o.seconds * 1000000000ull;
	err = start_threads(&st, servers, o.threads, server_main);
	if (!err)
		err = start_threads(&st, clients, o.threads, client_main);
	if (err) {
		fprintf(stderr, "storm: starting threads: %s\n", strerror(-err));
		goto out;
	}
	/*
	 * Done when every client finished and the server closed every
	 * connection that was made; overflow mode does not wait for the
	 * server, whose queue holds connections the clients gave up on.
	 */
	for (;;) {
		uint64_t made = o.count - atomic_load(&st.failed) -
				atomic_load(&st.timeouts);

		if (atomic_load(&st.clients_done) == o.threads &&
		    (o.overflow || atomic_load(&st.served) >= made))
			break;
		if (now_ns() >= deadline) {
			timed_out = true;
			break;
		}
		nanosleep(&tick, NULL);
	}
	end = now_ns();
	read_listen_counters(&ov1, &dr1);

	secs = (double)(end - start) / 1e9;
	ok = atomic_load(&st.served);
	if (o.overflow)
		ok = o.count - atomic_load(&st.failed) - atomic_load(&st.timeouts);
	printf("connections=%llu failed=%llu seconds=%.3f rate=%.0f",
	       (unsigned long long)ok,
	       (unsigned long long)atomic_load(&st.failed), secs,
	       secs > 0 ? (double)ok / secs : 0.0);
	if (o.overflow)
		printf(" accepted=%llu timeouts=%llu listen_overflows=%llu listen_drops=%llu",
		       (unsigned long long)atomic_load(&st.served),
		       (unsigned long long)atomic_load(&st.timeouts),
		       (unsigned long long)(ov1 - ov0),
		       (unsigned long long)(dr1 - dr0));
	putchar('\n');
	if (fflush(stdout)) {
		fprintf(stderr, "storm: writing results: %s\n", strerror(errno));
		goto out;
	}
	if (atomic_load(&st.first_errno))
		fprintf(stderr, "storm: first failure: %s\n",
			strerror(atomic_load(&st.first_errno)));
	if (timed_out)
		fprintf(stderr, "storm: gave up after %u s\n", o.seconds);
	status = timed_out || atomic_load(&st.failed) ? 1 : 0;
out:
	/* Threads may still block in accept(): exit ends them with us. */
	free(payload);
	return status;
}
