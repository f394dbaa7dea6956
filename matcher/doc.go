// Package matcher is the verification stage of semak: a sample's records
// are matched against keyed snapshots, known leaks and canary records, and
// a verdict is reached.
//
// Its subpackages are the pieces that come first: record (the shared
// vocabulary of a normalised row), normalize (the field normalisers) and
// intake (reading samples in every format they arrive in).
package matcher
