// Package index stores and searches leak postings with bleve. It is the only
// package that sees bleve's types.
//
// Not built yet: see the leak index issue.
package index
