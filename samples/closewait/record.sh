#!/usr/bin/env bash
# A server that answers 12 requests and never closes its side: its
# sockets pile up in CLOSE_WAIT (the clients' in FIN_WAIT2) until the end
# of the trace.
. "$(dirname "$0")/../lib.sh"
sample_begin closewait
rec_begin --comment "sample closewait: a server that never closes, 12 connections"
exec 3< <(ns_run "$SCENARIO" closewait 127.0.0.1 8080 12 3)
read -r -t 20 line <&3
[ "$line" = holding ] || { echo "record.sh: scenario said '$line'" >&2; exit 1; }
rec_end
cat <&3 >/dev/null
