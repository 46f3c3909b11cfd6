#!/usr/bin/env bash
# Connects refused: 3 to port 9 and 2 to port 5432, where nothing listens,
# beside 5 connections that work on port 8080.
. "$(dirname "$0")/../lib.sh"
sample_begin refused
rec_begin --comment "sample refused: 5 connects to closed ports, 5 that work"
ns_run "$SCENARIO" healthy 127.0.0.1 8080 5 0 1
ns_run "$SCENARIO" refused 127.0.0.1 9 3
ns_run "$SCENARIO" refused 127.0.0.1 5432 2
rec_end
