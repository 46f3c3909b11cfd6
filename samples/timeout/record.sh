#!/usr/bin/env bash
# Connects timing out: 10.99.0.0/24 is routed to lo, where packets not for
# a local address are dropped without a word (forwarding is off); with
# net.ipv4.tcp_syn_retries=1 each connect gives up after ~3 s (ETIMEDOUT).
. "$(dirname "$0")/../lib.sh"
sample_begin timeout
ip -n "$NS" route add 10.99.0.0/24 dev lo
ns_run sysctl -q net.ipv4.tcp_syn_retries=1
rec_begin --comment "sample timeout: 3 connects to 10.99.0.2 and .3, silently dropped"
ns_run "$SCENARIO" timeout 10.99.0.2 80 2 &
ns_run "$SCENARIO" timeout 10.99.0.3 443 1
wait $!
rec_end
