// Package crawler collects leak postings from onion and clearnet forums
// through Tor, fail-closed. It is the only package that sees colly and
// golang.org/x/net/proxy (see the depguard rules in .golangci.yml).
//
// Not built yet: see the crawler issue. The directory exists so the
// package graph of ARCHITECTURE.md has its place from the start.
package crawler
