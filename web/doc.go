// Package web is semak's web UI and JSON API, on gin. It is the only package
// that sees gin's types; it declares the small interfaces it needs
// (Searcher, Verifier) and meets the concrete types in cmd/.
//
// Not built yet: see the web issue.
package web
