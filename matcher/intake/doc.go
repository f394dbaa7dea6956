// Package intake reads leak samples and database exports into normalised
// records: the first stage of everything semak does.
//
// A sample arrives in any shape — CSV, TSV, semicolon or pipe separated with
// or without a header, a JSON array or NDJSON, an SQL dump, "key: value"
// blocks pasted in a forum post, an email:password combolist — in UTF-8,
// UTF-16 or Windows-1252, plain, gzipped or zipped. Reading goes in layers,
// each streaming, so memory stays bounded whatever the size of the input:
//
//	file ─▶ container (gzip, zip: caps on entries, size, ratio)
//	     ─▶ encoding (BOM, UTF-16, Windows-1252; binary refused)
//	     ─▶ format sniffed from the first 64 KiB ─▶ rowReader (one per format)
//	     ─▶ columns decided on the first rows (header names in English,
//	        Malay and Indonesian, the values' content, --map overrides)
//	     ─▶ normalisers ─▶ record.Record
//
// Every row is counted as usable or rejected with a Reason. A problem that
// stops reading is an *Error naming the file, the line and byte, what is
// wrong and what to do. Neither ever quotes a value from the input: samples
// are personal data, so messages name positions and kinds, never contents.
package intake
