#!/usr/bin/env bash
# A request/response server: 200 one-request connections 1 ms apart and 4
# keep-alive connections that send a request between them.
. "$(dirname "$0")/../lib.sh"
sample_begin healthy
rec_begin --comment "sample healthy: 200 short and 4 keep-alive connections"
ns_run "$SCENARIO" healthy 127.0.0.1 8080 200 4 1
rec_end
