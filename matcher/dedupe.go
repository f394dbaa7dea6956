package matcher

import (
	"strings"

	"github.com/semak/semak/matcher/record"
)

// Dedupe keeps the first of every set of records with the same normalised
// content (canonical values and attributes), in order: a seller who pads
// 100 records to 1,000 rows is verified on 100.
func Dedupe(recs []record.Record) []record.Record {
	seen := make(map[string]struct{}, len(recs))
	out := recs[:0:0]
	var b strings.Builder
	for _, r := range recs {
		b.Reset()
		for _, v := range r.Values {
			b.WriteString(v)
			b.WriteByte(0)
		}
		for _, a := range r.Attrs {
			b.WriteString(a.Name)
			b.WriteByte(1)
			b.WriteString(a.Value)
			b.WriteByte(0)
		}
		k := b.String()
		if _, ok := seen[k]; ok {
			continue
		}
		seen[k] = struct{}{}
		out = append(out, r)
	}
	return out
}
