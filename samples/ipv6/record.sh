#!/usr/bin/env bash
# IPv6 on ::1: 20 short and 2 keep-alive request/response connections, and
# 2 connects refused by port 9.
. "$(dirname "$0")/../lib.sh"
sample_begin ipv6
rec_begin --comment "sample ipv6: 22 connections on ::1, 2 refused"
ns_run "$SCENARIO" healthy ::1 8443 20 2 1
ns_run "$SCENARIO" refused ::1 9 2
rec_end
