package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/semak/semak/index"
)

// searchOptions are the flags of `semak search`.
type searchOptions struct {
	Query  string
	Facets bool
	Sort   string
	After  string
	Limit  int
	JSON   bool
}

func (o *searchOptions) Validate() error {
	switch o.Sort {
	case "", index.SortRelevance, index.SortDate:
	default:
		return fmt.Errorf("search: --sort %q: want date or relevance", o.Sort)
	}
	if o.Limit < 0 || o.Limit > index.MaxLimit {
		return fmt.Errorf("search: --limit %d: want 1 to %d", o.Limit, index.MaxLimit)
	}
	return nil
}

func newSearchCmd(g *globalOptions) *cobra.Command {
	o := &searchOptions{}
	cmd := &cobra.Command{
		Use:   "search QUERY",
		Short: `Search leak postings: words, "phrases", AND/OR/NOT, field:value, posted:2024-01-01..2024-06-30, records:>1000000`,
		Args:  cobra.ExactArgs(1),
		RunE: withEnv(g, func(args []string) error {
			o.Query = args[0]
			return o.Validate()
		}, func(cmd *cobra.Command, args []string, e *env) error {
			ix, err := openIndex(cmd.Context(), e)
			if err != nil {
				return err
			}
			defer func() { _ = ix.Close() }() // read-mostly; a close error after the work is done changes nothing
			res, err := ix.SearchString(cmd.Context(), o.Query, index.SearchRequest{Facets: o.Facets, Sort: o.Sort, After: o.After, Limit: o.Limit})
			if err != nil {
				return fmt.Errorf("search: %w", err)
			}
			if o.JSON {
				return writeJSON(cmd.OutOrStdout(), searchJSON(res))
			}
			return writeSearchText(cmd.OutOrStdout(), res)
		}),
	}
	cmd.Flags().BoolVar(&o.Facets, "facets", false, "count results by site, actor, victim, sector, country, class, verdict, language, offer")
	cmd.Flags().StringVar(&o.Sort, "sort", "relevance", "relevance or date")
	cmd.Flags().StringVar(&o.After, "after", "", "the cursor of the next page (from the previous page)")
	cmd.Flags().IntVar(&o.Limit, "limit", index.DefaultLimit, "results per page")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print one JSON object: total, hits, facets, next")
	return cmd
}

// The JSON of `search --json`: a contract.
type searchHit struct {
	ID         string              `json:"id"`
	Title      string              `json:"title"`
	Site       string              `json:"site"`
	PostedAt   string              `json:"posted_at"`
	Score      float64             `json:"score"`
	Highlights map[string][]string `json:"highlights"`
}

type searchOut struct {
	Total  uint64                    `json:"total"`
	Hits   []searchHit               `json:"hits"`
	Facets map[string]map[string]int `json:"facets,omitempty"`
	Next   string                    `json:"next,omitempty"`
}

func searchJSON(res index.Result) searchOut {
	out := searchOut{Total: res.Total, Hits: []searchHit{}, Facets: res.Facets, Next: res.Next}
	for _, h := range res.Hits {
		sh := searchHit{ID: h.ID, Title: h.Title, Site: h.Site, Score: h.Score, Highlights: h.Highlights}
		if !h.PostedAt.IsZero() {
			sh.PostedAt = h.PostedAt.UTC().Format(time.RFC3339)
		}
		if sh.Highlights == nil {
			sh.Highlights = map[string][]string{}
		}
		out.Hits = append(out.Hits, sh)
	}
	return out
}

func writeSearchText(out io.Writer, res index.Result) error {
	w := &errWriter{w: out}
	fmt.Fprintf(w, "%d postings\n", res.Total)
	for _, h := range res.Hits {
		fmt.Fprintf(w, "\n%s  %s  %s\n  %s\n", h.PostedAt.Format(time.DateOnly), h.Site, h.ID, h.Title)
		for _, f := range []string{"title", "body"} {
			for _, frag := range h.Highlights[f] {
				fmt.Fprintf(w, "  … %s\n", strings.NewReplacer("<mark>", "[", "</mark>", "]").Replace(frag))
			}
		}
	}
	if len(res.Facets) > 0 {
		fmt.Fprintln(w)
		names := make([]string, 0, len(res.Facets))
		for f := range res.Facets {
			names = append(names, f)
		}
		sort.Strings(names)
		for _, f := range names {
			vals := res.Facets[f]
			if len(vals) == 0 {
				continue
			}
			keys := make([]string, 0, len(vals))
			for k := range vals {
				keys = append(keys, k)
			}
			sort.Slice(keys, func(i, j int) bool {
				return vals[keys[i]] > vals[keys[j]] || vals[keys[i]] == vals[keys[j]] && keys[i] < keys[j]
			})
			parts := make([]string, len(keys))
			for i, k := range keys {
				parts[i] = fmt.Sprintf("%s %d", k, vals[k])
			}
			fmt.Fprintf(w, "%-8s %s\n", f, strings.Join(parts, ", "))
		}
	}
	if res.Next != "" {
		fmt.Fprintf(w, "\nnext page: --after %s\n", res.Next)
	}
	return w.err
}
