#!/usr/bin/env bash
# Regenerate the hand-made files of the bad-file corpus (tests/bad/*.skr).
# Each breaks one rule of docs/FORMAT.md; NAME.err holds the one line
# sockana must print for it (see README).  Files found by the fuzzer
# (fuzz-*.skr) are kept as they were found and not made here.
#
#   tests/bad/make-bad.sh      (needs bash, printf and the zstd program)
set -eu
cd "$(dirname "$0")"

u8()  { printf "\\x$(printf %02x "$(($1 & 255))")"; }
u16() { u8 "$1"; u8 "$(($1 >> 8))"; }
u32() { u16 "$1"; u16 "$(($1 >> 16))"; }
u64() { u32 "$1"; u32 "$(($1 >> 32))"; }
zeros() { head -c "$1" /dev/zero; }

# FILE_HEADER [major [minor [magic]]]
file_header() {
	u32 48; u16 1; u16 0
	printf '%s' "${3:-SKRTRACE}"
	u16 "${1:-1}"; u16 "${2:-0}"; u32 0
	printf 'capture-id-0123'; u8 0
	u64 1790000000000000000
}
clock() { u32 40; u16 4; u16 0; u64 1000000000; u64 1790000000000000000; u64 0; u32 7; u32 0; }
end_rec() { u32 48; u16 0x1f; u16 0; u64 2000000000; zeros 32; }
# STATE ts cookie old new
state() {
	u32 96; u16 0x100; u16 0
	u64 "$1"; u64 "$2"; u32 4026531840; u32 100; u32 100; u16 0; u8 1; u8 0
	u8 10; u8 77; u8 1; u8 1; zeros 12
	u8 10; u8 77; u8 1; u8 2; zeros 12
	printf 'client'; zeros 10
	u16 40000; u16 80; u8 2; u8 6; u8 "$3"; u8 "$4"
}
# A frame with a checksum and no recorded size, as from a pipe.
frame() { zstd -q -c --check; }

{ printf '\x89PNG\r\n\x1a\n'; zeros 16; } > not-zstd.skr
state 1000 1 7 2 | frame > first-not-header.skr
{ file_header 1 0 SKRTRACX; end_rec; } | frame > bad-magic.skr
{ file_header 3 0; end_rec; } | frame > version-3.0.skr
{ file_header 0 1; end_rec; } | frame > version-0.1.skr
{ { file_header; clock; end_rec; } | frame; printf '\x01\x02\x03\x04garbage'; } > garbage-after-frame.skr
{ file_header; end_rec; } | zstd -q -c --no-check > no-checksum.skr
# 4 MiB + 8 of content, the size recorded in the frame header.
zeros 4194312 > tmp-big && zstd -q -c --check tmp-big > frame-too-big.skr && rm -f tmp-big
# The last byte of a frame is the last byte of its checksum.
{ file_header; clock; end_rec; } | frame > checksum-mismatch.skr
size=$(stat -c %s checksum-mismatch.skr)
printf '\xff' | dd of=checksum-mismatch.skr bs=1 seek=$((size - 1)) conv=notrunc status=none
{ file_header; u32 4; u16 0; u16 0; } | frame > record-length-4.skr
{ file_header; clock; u32 4096; u16 0x100; u16 0; zeros 56; } | frame > record-past-frame.skr
{ file_header; printf '\x05\x00\x00\x00\x00'; } | frame > header-fragment.skr
{ file_header; u32 16; u16 4; u16 0; zeros 8; } | frame > clock-too-short.skr
{ file_header; clock; end_rec; state 1000 1 7 2; } | frame > record-after-end.skr
{ file_header; clock; end_rec; end_rec; } | frame > second-end.skr
{ { file_header; clock; end_rec; } | frame; printf '\x00\x00'; } > trailing-junk.skr
# A window of 2^24 bytes, over the cap of 2^23.
{ file_header; clock; end_rec; } | zstd -q -c --check --long=24 > window-too-large.skr
# A STATE record of 64 bytes, shorter than its version-1 size.
{ file_header; clock; u32 64; u16 0x100; u16 0; zeros 56; end_rec; } | frame > state-too-short.skr
# An IPv4 state record (STATE4) cut to 64 of its 72 bytes.
{ file_header; clock; u32 64; u16 0x10a; u16 0; zeros 56; end_rec; } | frame > state4-too-short.skr
# A FILE_HEADER as a big-endian recorder writing host order would put it:
# the format is little-endian on every host (docs/FORMAT.md §1).
be16() { u8 "$(($1 >> 8))"; u8 "$1"; }
be32() { be16 "$(($1 >> 16))"; be16 "$1"; }
be64() { be32 "$(($1 >> 32))"; be32 "$1"; }
{ be32 48; be16 1; be16 0; printf 'SKRTRACE'; be16 1; be16 0; be32 0
  printf 'capture-id-0123'; u8 0; be64 1790000000000000000; } | frame > big-endian.skr
