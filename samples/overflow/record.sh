#!/usr/bin/env bash
# A listener with backlog 2 that accepts its first connection after 0.9 s
# and then one every 500 ms, while 10 clients connect at once: accept-queue
# overflows, SYN and SYN-ACK retransmits, every client served in the end.
# The server speaks first (a banner) and the clients send their handshake
# ACK lazily, so an ACK that meets a full queue is dropped and the server's
# SYN-ACK retransmit completes the handshake later.  SYN cookies are off in
# the namespace: with them, a SYN that meets a full queue is answered by a
# cookie the kernel keeps no state for, and a client can be left waiting.
. "$(dirname "$0")/../lib.sh"
sample_begin overflow
ns_run sysctl -q net.ipv4.tcp_syncookies=0
rec_begin --comment "sample overflow: backlog 2, 10 clients, one accept per 500 ms"
ns_run "$SCENARIO" slowaccept 127.0.0.1 8080 2 10 500
rec_end
