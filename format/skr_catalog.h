/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The record catalogue: one descriptor per record type of this version,
 * which every per-type question (name, shortest length, byte order,
 * where a record names hosts) is answered from.  Adding a record type is
 * one entry in format/catalog.c.  Included by skr.h.
 */
#ifndef SKR_CATALOG_H
#define SKR_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skr_events.h"

struct skr_record;

/* One multi-byte integer of a record: where it lies and its width. */
struct skr_field {
	uint16_t off;
	uint16_t size;		/* 2, 4 or 8 */
};

struct skr_rec_desc {
	uint16_t type;		/* enum skr_rec_type */
	const char *name;	/* "FILE_HEADER", as docs/FORMAT.md spells it */
	const char *word;	/* lower-case name in reports; NULL: "other" */
	uint32_t min_len;	/* the v1 struct; SKR_REC_MIN for attribute records */
	bool tlv;		/* body of attributes (HOST, RECORDER, ...) */
	bool common;		/* starts with struct skr_ev_common after hdr */
	/*
	 * The multi-byte integers after the header (and after the common
	 * event fields when common is set); empty for attribute records.
	 */
	const struct skr_field *fields;
	size_t nfields;
	/*
	 * Where the record names hosts or the running kernel (offsets into
	 * the record, 0 for none; offset 0 is the header so never a field).
	 */
	uint16_t family;	/* u8 address family */
	uint16_t addr[2];	/* addresses of addr_len bytes */
	uint16_t addr_len;	/* 16, or 4 for IPv4-only records */
	uint16_t comm;		/* task name of SKR_COMM_LEN bytes */
	uint16_t kaddr;		/* u64 kernel text address (tells KASLR) */
};

/* The descriptor of a type this version knows, or NULL. */
const struct skr_rec_desc *skr_rec_desc(unsigned type);

/*
 * Whether a type is a kernel event (0x01xx and up): such a record carries
 * struct skr_ev_common after its header, so it can be time-ordered even
 * when its type is unknown.  The one place that knows where events start.
 */
static inline bool skr_rec_is_event(unsigned type)
{
	return type >= SKR_REC_EVENT_BASE;
}

/*
 * Format 2 stores an event record's time and cookie as differences from
 * the previous event record of its zstd frame (docs/FORMAT.md §4.7.1): the
 * writer makes them, the reader restores them.  Where they lie, and where
 * a FILE_HEADER says which major version its segment follows.
 */
#define SKR_EV_TS_OFF		8u
#define SKR_EV_COOKIE_OFF	16u
#define SKR_EV_DELTA_END	24u	/* bytes an event needs for both */
#define SKR_FH_MAJOR_OFF	16u
#define SKR_FH_MAJOR_END	18u
#define SKR_VERSION_MAJOR_DELTA	2u	/* the first major with the deltas */

_Static_assert(sizeof(struct skr_rec_hdr) + offsetof(struct skr_ev_common, ts_ns) ==
	       SKR_EV_TS_OFF, "event time offset");
_Static_assert(sizeof(struct skr_rec_hdr) + offsetof(struct skr_ev_common, cookie) ==
	       SKR_EV_COOKIE_OFF, "event cookie offset");
_Static_assert(offsetof(struct skr_file_header, major) == SKR_FH_MAJOR_OFF,
	       "FILE_HEADER major offset");

/*
 * Copy a fixed record of the given type into its host-order struct of
 * size bytes (which must be the type's min_len).  A record shorter than
 * that is refused; bytes beyond it (fields a later minor appended) are
 * ignored.  Returns 0, or -EINVAL for a wrong type, size or length.
 */
int skr_rec_decode(const struct skr_record *rec, unsigned type, void *out,
		   size_t size);

/*
 * Room for any fixed record of this version, so that one call decodes a
 * record whatever its type and the caller picks the member its type names.
 * Every kernel event starts with the header and struct skr_ev_common, so
 * ev.c is valid for any of them (skr_rec_desc(type)->common).
 */
union skr_rec_any {
	struct skr_rec_hdr hdr;
	struct {
		struct skr_rec_hdr hdr;
		struct skr_ev_common c;
	} ev;
	struct skr_file_header file_header;
	struct skr_clock clock;
	struct skr_loss loss;
	struct skr_round round;
	struct skr_end end;
	struct skr_stats stats;
	struct skr_benign benign;
	struct skr_snapshot snapshot;
	struct skr_ev_state state;
	struct skr_ev_state4 state4;
	struct skr_ev_listen listen;
	struct skr_ev_accept accept;
	struct skr_ev_reset reset;
	struct skr_ev_sock_error sock_error;
	struct skr_ev_retransmit retransmit;
	struct skr_ev_destroy destroy;
	struct skr_ev_counters counters;
	struct skr_ev_skb_drop skb_drop;
	struct skr_ev_listener listener;
	struct skr_ev_netns_stats netns_stats;
	struct skr_ev_sampling sampling;
};

/*
 * skr_rec_decode() of rec as the type it says it is, by its descriptor:
 * the member of *out of that type is filled (STATE4 stays STATE4).
 * Returns 0, or -EINVAL for an unknown or attribute type or a record
 * shorter than its type.
 */
int skr_rec_decode_any(const struct skr_record *rec, union skr_rec_any *out);

/*
 * The reverse: copy the host-order struct in (size bytes, the type's
 * min_len) to out in file byte order, with hdr.len = size, hdr.type = type
 * and hdr.flags = 0.  in and out may be the same.  Returns 0 or -EINVAL.
 */
int skr_rec_encode(unsigned type, const void *in, size_t size, void *out);

/*
 * Reverse the bytes of every multi-byte integer of a fixed record (header
 * included) in place: the conversion between file and host order on a
 * big-endian host.  Exposed so that tests on a little-endian host can run
 * it.  Returns 0, or -EINVAL for an unknown or attribute type or a short
 * len.
 */
int skr_rec_swap(unsigned type, void *rec, size_t len);

/*
 * Fill *fh as a FILE_HEADER record in file byte order, ready for
 * skr_writer_append: magic, the given version, file index, capture id
 * (16 bytes, NULL for zeros; it may point into *fh) and creation time.
 * The one place a file header is built.
 */
void skr_encode_file_header(struct skr_file_header *fh, uint16_t major,
			    uint16_t minor, uint32_t file_index,
			    const uint8_t capture_id[16], uint64_t created_ns);

/*
 * Whether p (n bytes) starts with a FILE_HEADER written in big-endian byte
 * order, which this little-endian format does not allow: readers use it
 * to say why such a file cannot be read.
 */
bool skr_file_header_swapped(const uint8_t *p, size_t n);

#endif /* SKR_CATALOG_H */
