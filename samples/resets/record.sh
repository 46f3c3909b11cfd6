#!/usr/bin/env bash
# Resets: a client that closes with SO_LINGER 0 (port 7000), a client that
# writes to a server that already closed (7001), a server that closes with
# a request it did not read (7002).
. "$(dirname "$0")/../lib.sh"
sample_begin resets
rec_begin --comment "sample resets: SO_LINGER 0, write to a closed peer, close with unread data"
ns_run "$SCENARIO" resets 127.0.0.1 7000
rec_end
