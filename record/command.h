/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sockrec -- CMD ARGS...: run one command and record only its sockets and
 * those of every process it starts.  The command runs in a cgroup (v2) that
 * sockrec creates for it and hands to the --cgroup filter, so the kernel
 * filters the events; it is started stopped and let go only once the probes
 * are attached and the snapshot is written, so none of its code runs
 * unrecorded.  A small "keeper" process, which keeps root when -Z drops the
 * recorder's privileges, removes the cgroup at the end.
 *
 * Every int function returns 0 or a negative errno unless it says otherwise.
 */
#ifndef SOCKREC_COMMAND_H
#define SOCKREC_COMMAND_H

#include <signal.h>
#include <stdbool.h>

struct rec_options;

/*
 * As root, before the BPF programs load and before sockrec changes its
 * signal dispositions or priority (the command inherits them as sockrec
 * found them): create the cgroup, make it the --cgroup filter, start the
 * keeper and the command, held before exec, inside the cgroup.  Prints its
 * own errors; -ENOENT when no cgroup v2 hierarchy is mounted.  On failure
 * what was started is undone (rec_command_finish is still to be called).
 */
int rec_command_prepare(const struct rec_options *o);
/* Let the command exec (the recording is ready); a no-op without one. */
int rec_command_start(void);
/* True once the command has exited (and was reaped); false without one. */
bool rec_command_exited(void);
/*
 * From a signal handler (async-signal-safe): pass sig on to the running
 * command, unless it came from the terminal (si_code SI_KERNEL), which
 * signals the command's process group itself.  True if a command is
 * running, so the recording goes on until it exits.
 */
bool rec_command_forward(int sig, const siginfo_t *si);
/*
 * The end: a command never let go is killed, a running one is waited for
 * (signals are still forwarded), then the keeper removes the cgroup if it
 * is still the one sockrec made and is empty (it says so when it is not).
 * Returns the command's exit status as a shell gives it (128+N for signal
 * N), or -1 if it never ran or there is no command.
 */
int rec_command_finish(void);

#endif /* SOCKREC_COMMAND_H */
