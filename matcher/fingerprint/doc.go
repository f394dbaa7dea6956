// Package fingerprint turns an organisation's database export into a
// snapshot of keyed fingerprints, and answers, for a leak sample's
// fingerprints, whether the snapshot holds them. It is the format spec of
// the snapshot file that ARCHITECTURE.md points to.
//
// # What is stored, and what is not
//
// A snapshot never holds a value. Every value is reduced to the top 48
// bits of an HMAC-SHA256 under the source's secret key (Hasher); the key
// lives in the keyring, never in the file. Per record the file keeps:
//
//   - the anchor fingerprint, Anchor(field, value): is this person (e.g.
//     this MyKad number) in the database at all;
//   - per field a bound fingerprint, Bound(field, anchorValue, value): does
//     the same person have the same value here;
//   - per field an unbound fingerprint, Unbound(field, value): does anyone
//     have this value;
//   - a 256-bit name filter (NameFilter): is the name stored for this
//     anchor the sample's name up to typos.
//
// Unkeyed hashes of a MyKad number (~3×10^10 values) can be brute-forced
// in minutes; keyed ones cannot without the key, so losing the file alone
// reveals nothing but counts (rows, distinct values per field, roughly the
// length of each name). Bound fingerprints do not say which anchor they
// belong to (sections are sorted sets), so the file does not even link a
// person's fields together without the key.
//
// Name filters are bigram Bloom filters (Schnell et al. 2009), which are
// known to fall to frequency attacks when a file holds millions of them.
// Here every record's bit positions also go through a secret permutation
// derived from the key and its anchor (see Hasher.Name), so filters of
// different records share no coordinates. Consequence for callers: a name
// filter can only be compared with one made for the same anchor, which is
// the only comparison the matcher makes.
//
// # Why 48 bits
//
// A sample value that is not in a set of n fingerprints matches by accident
// with probability n/2^48: 3.6e-8 for n = 10^7, fewer than 0.03 false
// agreements when a 100k-row sample is checked on 8 fields. Six bytes a
// fingerprint keep a 10M-row, 8-field snapshot near 9 bytes per stored
// fingerprint all in (BenchmarkSnapshot1M measures 8.8 at 1M rows; the goal
// is at most 12). Fingerprints are never 0 (None), so 0 can mark a missing
// value.
//
// # File format (version 1)
//
// All integers are big-endian. Offsets in the section table count from the
// first byte after the JSON header.
//
//	magic       8 bytes   "SEMAKFP\x01" (the last byte is the version)
//	header len  4 bytes   uint32, at most 1 MiB
//	header      JSON      {"version":1, "header":{Header}, "sections":[...]}
//	sections    ...       back to back, in section-table order
//	trailer     32 bytes  SHA-256 of every byte before it
//
// The section table lists, in this order, the anchor section, then for
// every other field in Header.Fields order its bound and its unbound
// section; each row is
//
//	{"kind":"anchor"|"bound"|"unbound", "field":i, "count":n, "offset":o, "index_bits":b}
//
// A section is an optional bucket index followed by count entries sorted by
// fingerprint, strictly increasing. A bound or unbound entry is a 6-byte
// fingerprint; an anchor entry is the 6-byte fingerprint and the 32-byte
// name filter of the first row with that anchor. The bucket index is
// present when count ≥ 4096 and is on the top b = min(16, ⌊log2(count/16)⌋)
// bits: 2^b uint32, entry k the position of the first entry whose top b bits
// are ≥ k, so bucket k is [index[k], index[k+1]) (the last ends at count).
// A lookup is one index read and a binary search of about 16–150 entries
// (the 2^16 cap reached at 1M entries); without an index, a binary search of
// at most 4095 entries, 12 steps. Small sections skip the index because
// 256 KiB of index would outweigh them; b grows with count for the same
// reason (a fixed 2^16 buckets would make a 20k-entry section's index twice
// its entries).
//
// Open checks all of it: magic and version, the header's fields, that the
// section table is exactly the one a Writer writes (order, offsets, index
// sizes) and covers the body to the byte, the SHA-256 trailer, and that
// every section is sorted, free of zero and duplicates, and agrees with its
// index. A file that fails any check is refused with an error naming the
// file and wrapping ErrCorrupt; lookups can then trust the structure.
//
// # Writing
//
// A Writer keeps everything in memory, in chunks that are never copied as
// they grow, already split into 256 buckets by each fingerprint's top byte,
// and sorts each bucket in place at Commit with a radix sort on all cores
// (radix.go; about 1.5 GB for a 10M-row, 8-field export, and a few MB of
// scratch per core while sorting; an external merge sort is the path if
// that must shrink). The file's blocks are allocated at once when its
// size is known, and the SHA-256 and the writes run beside the encoding.
// It writes to path + ".partial-<random>" (mode 0600, under flock), and
// Commit fsyncs the file, hard-links it to path (which never replaces an
// existing file), removes the partial name and fsyncs the directory. A
// crash before that leaves nothing at path; CleanPartials removes what it
// left.
//
// # Platforms
//
// On Linux (sys_linux.go) a snapshot is mmapped read-only: lookups cost no
// system call and share the page cache between processes, and partial
// files are flocked so CleanPartials may run beside live writers.
// Elsewhere (sys_other.go, the portable fallback) the file is read into
// memory with ReadAt and partial files are not locked.
package fingerprint
