// Package store is semak's embedded metadata store: the organisations
// registered with semak, their sources (databases) and the snapshots loaded
// from them. It is one SQLite file, DATA/semak.db, opened through the pure-Go
// driver modernc.org/sqlite (no cgo), in WAL mode so that readers never wait
// for a writer, with foreign keys on and a 5 s busy timeout so that writers
// from several processes queue instead of failing. Every write runs in a
// BEGIN IMMEDIATE transaction, so a check and the write it guards (say, that
// no other organisation already uses an alias) cannot interleave with
// another writer.
//
// # Metadata only
//
// The store never holds a plaintext value of any record, nor anything from
// which one could be recomputed. What a snapshot contains lives in its
// fingerprint file (keyed hashes, named by Snapshot.File relative to the data
// directory and pinned by Snapshot.SHA256); the keys those hashes are made
// with live in the keyring, in another directory. The store says which
// fingerprint files exist, for which source and date, and with what shape
// (row and distinct counts); copying semak.db reveals who registered what,
// never a person's data. Keep it that way: a column for sample values,
// however convenient, would make this file the next breach.
//
// # Schema
//
//	schema_version(version, applied_at)      one row per migration applied
//	orgs(id, name, aliases, population, country, sector, created_at)
//	org_names(folded, org, text, kind)       every id, name and alias of every
//	                                         org, folded (see below); the
//	                                         primary key makes clashes between
//	                                         orgs impossible and lookups a probe
//	sources(id, org → orgs, anchor, fields, org_only, created_at)
//	snapshots(source → sources, as_of, row_count, distinct_counts, file,
//	          sha256, loaded_by, loaded_at,  primary key (source, as_of);
//	          export_sha256)                 export_sha256 is the digest of
//	                                         the DPO's export, the snapshot's
//	                                         provenance (a digest of a whole
//	                                         file, never of a value)
//
// Times are RFC 3339 text in UTC (as_of is always midnight); lists and maps
// are JSON text. Tables are STRICT.
//
// Names are folded for lookup and clash checks by NFKC normalisation,
// lower-casing and dropping everything that is not a letter or digit, so
// "PERKESO", "Perkeso" and "per-keso" are one name.
//
// # Migrations
//
// The schema is the numbered list of SQL scripts in migrations; each is
// applied in its own transaction together with its schema_version row, so a
// database is always at exactly one version. A database whose version is
// higher than this code knows (written by a newer semak) is refused, never
// written to. Append to the list; never edit an applied entry.
package store
