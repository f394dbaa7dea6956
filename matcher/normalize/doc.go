// Package normalize turns the dirty personal-data values found in leak
// samples and database exports (MyKad and NIK numbers, phones, emails, names,
// dates, genders, addresses, postcodes, states) into one canonical form, so
// that a claimed leak and an organisation's own export can be compared value
// for value.
//
// # Errors never quote the value
//
// Every value this package sees is personal data. A rejected value is
// reported as an Invalid error that names the field and a short, stable,
// lower-case reason ("mykad: invalid place-of-birth code", "phone: too few
// digits") and never the value or any part of it, because errors end up in
// logs, reports and API responses. The reasons are also counted in reports,
// so they are fixed phrases, and the common ones are preallocated: rejecting
// a row costs no allocation.
//
// # Fast paths
//
// The normalisers run on millions of rows per job, so the common cases are
// decided by hand-written byte scanning with no regexp and, where the
// canonical form equals the input, no allocation at all:
//
//   - Names and addresses skip Unicode NFKC and case folding when the input
//     is pure ASCII, which nearly all rows are: one pass folds, splits and
//     (for addresses) expands abbreviations, and gives up for the Unicode
//     path only at the first rune that needs it.
//   - Phones in the usual Malaysian and Indonesian shapes are turned into
//     E.164 directly; only the rest goes to libphonenumber
//     (github.com/nyaruka/phonenumbers), which is two orders of magnitude
//     slower.
//   - Dates are tokenised once and matched against the handful of shapes
//     seen in the wild, rather than tried against a list of time.Parse
//     layouts.
//   - Dates come back as slices of one table of every date from 1900 to
//     2099, built on first use, rather than as new ten-byte strings.
//   - FieldIn takes the strings it has to build (a sorted name, an address,
//     an E.164 number) from a Strings: slabs of a few KiB, one per
//     goroutine, rather than one allocation per value.
//
// Lookup tables (month names, states, name connectors and titles, address
// abbreviations, MyKad place-of-birth codes) are built once at package
// initialisation.
//
// A Normalizer carries the two pieces of context some fields need: the
// reference date that decides the century of two-digit years and rejects
// birth dates in the future, and the default phone region that decides
// whether a number with a leading 0 is Malaysian or Indonesian. It is safe
// for concurrent use.
package normalize
