// Package record is the vocabulary every stage of semak agrees on for a row of
// personal data: the canonical field names, the normalised Record, and the
// masks that make a Record safe to print.
//
// It imports nothing of ours and only the standard library, so the intake,
// the matcher, the store and the web layer can all share it without pulling
// each other in.
package record
