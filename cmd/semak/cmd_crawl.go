package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	"github.com/semak/semak/crawler"
	"github.com/semak/semak/crawler/extract"
	"github.com/semak/semak/crawler/frontier"
	"github.com/semak/semak/crawler/posting"
	"github.com/semak/semak/index"
)

// crawlOptions are the flags of `semak crawl`.
type crawlOptions struct {
	Config  string
	Site    string
	Engine  string
	Socks   string
	Redis   string
	Once    bool
	Out     string
	Offline string
}

func (o *crawlOptions) Validate() error {
	switch {
	case o.Config == "" && o.Site == "":
		return errors.New("crawl: give --config sites.yaml, or --site URL --engine ENGINE for a one-off crawl")
	case o.Config != "" && o.Site != "":
		return errors.New("crawl: give --config or --site, not both")
	case o.Site != "" && o.Engine == "":
		return fmt.Errorf("crawl: --site needs --engine (one of %s)", strings.Join(extract.Engines(), ", "))
	case o.Offline != "" && o.Site == "":
		return errors.New("crawl --offline: give --site URL --engine ENGINE for the captured site")
	case o.Offline != "":
		return nil // no network at all: no proxy needed
	case o.Socks == "":
		// Fail closed: there is no direct mode.
		return errors.New("crawl: --socks ADDR is required (Tor's SocksPort, e.g. 127.0.0.1:9050): semak never crawls without Tor")
	}
	return nil
}

func newCrawlCmd(g *globalOptions) *cobra.Command {
	o := &crawlOptions{}
	cmd := &cobra.Command{
		Use:   "crawl (--config sites.yaml | --site URL --engine ENGINE) --socks ADDR [--redis URL] [--once] [--out FILE.ndjson]",
		Short: "Collect leak postings through Tor, fail-closed, into the store and index (or NDJSON with --out)",
		Args:  cobra.NoArgs,
		RunE: withEnv(g, func(args []string) error {
			return o.Validate()
		}, func(cmd *cobra.Command, args []string, e *env) error {
			return runCrawl(cmd, e, o)
		}),
	}
	cmd.Flags().StringVar(&o.Config, "config", "", "the sites to crawl (YAML)")
	cmd.Flags().StringVar(&o.Site, "site", "", "one site to crawl with a built-in engine profile")
	cmd.Flags().StringVar(&o.Engine, "engine", "", "the site's engine: "+strings.Join(extract.Engines(), ", "))
	cmd.Flags().StringVar(&o.Socks, "socks", "", "Tor's SocksPort, e.g. 127.0.0.1:9050 (required)")
	cmd.Flags().StringVar(&o.Redis, "redis", "", "share the frontier with other crawl processes in Redis (redis://host:port/db)")
	cmd.Flags().BoolVar(&o.Once, "once", false, "crawl once and stop (otherwise too: crawling is one pass; schedule it)")
	cmd.Flags().StringVar(&o.Out, "out", "", "write postings as NDJSON to FILE instead of the store and index")
	cmd.Flags().StringVar(&o.Offline, "offline", "", "replay captured pages from DIR (WARC files, or routes.txt and pages) into postings; no network")
	cmd.AddCommand(newCrawlCookieCmd(g), newCrawlStatusCmd(g))
	return cmd
}

func runCrawl(cmd *cobra.Command, e *env, o *crawlOptions) error {
	ctx := cmd.Context()
	var sites []crawler.SiteConfig
	if o.Config != "" {
		f, err := os.Open(o.Config)
		if err != nil {
			return err
		}
		sites, err = crawler.LoadConfig(f)
		_ = f.Close()
		if err != nil {
			return fmt.Errorf("crawl: %s: %w", o.Config, err)
		}
	} else {
		u, err := url.Parse(o.Site)
		if err != nil || u.Host == "" {
			return fmt.Errorf("crawl: --site %q: want a URL such as http://xyz.onion/", o.Site)
		}
		sites = []crawler.SiteConfig{{Name: strings.TrimSuffix(u.Hostname(), ".onion"), BaseURL: o.Site, Engine: o.Engine}}
	}
	orgs, err := orgAliases(ctx, e)
	if err != nil {
		return err
	}
	if o.Offline != "" {
		return replayCrawl(cmd, e, o, sites[0], orgs)
	}
	opts := crawler.Options{Socks: o.Socks, Sites: sites, DataDir: filepath.Join(e.dir, "crawl"), Orgs: orgs,
		Logger: slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelInfo}))}
	if o.Redis != "" {
		ro, err := redis.ParseURL(o.Redis)
		if err != nil {
			return fmt.Errorf("crawl: --redis %q: %w", o.Redis, err)
		}
		rc := redis.NewClient(ro)
		defer func() { _ = rc.Close() }()
		opts.Frontier = frontier.NewRedis(rc, "crawl", 0)
	}
	var n int
	if o.Out != "" {
		f, err := os.OpenFile(o.Out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		err = crawler.Run(ctx, opts, func(p posting.Posting) error {
			n++
			return posting.WriteNDJSON(f, p)
		})
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%d postings written to %s\n", n, o.Out)
		return err
	}
	ix, err := openIndex(ctx, e)
	if err != nil {
		return err
	}
	defer closeIndex(ix, &err)
	err = crawler.Run(ctx, opts, func(p posting.Posting) error {
		n++
		return keepPosting(cmd, e, ix, p)
	})
	fmt.Fprintf(cmd.OutOrStdout(), "%d postings stored and indexed\n", n)
	return err
}

// replayCrawl stores and indexes postings replayed from captured pages.
func replayCrawl(cmd *cobra.Command, e *env, o *crawlOptions, site crawler.SiteConfig, orgs extract.OrgMatcher) (err error) {
	ctx := cmd.Context()
	ix, err := openIndex(ctx, e)
	if err != nil {
		return err
	}
	defer closeIndex(ix, &err)
	n, err := crawler.Replay(ctx, o.Offline, site, orgs, time.Now(), func(p posting.Posting) error {
		return keepPosting(cmd, e, ix, p)
	})
	fmt.Fprintf(cmd.OutOrStdout(), "%d postings replayed from %s, stored and indexed\n", n, o.Offline)
	return err
}

// keepPosting stores and indexes a collected posting, its samples turned
// into known leaks first.
func keepPosting(cmd *cobra.Command, e *env, ix *index.Index, p posting.Posting) error {
	if _, err := fingerprintSamples(cmd, e, &p); err != nil {
		return err
	}
	if _, err := putPosting(cmd.Context(), e, &p); err != nil {
		return err
	}
	return ix.Add(cmd.Context(), p)
}

// orgAliases matches victim names in postings to registered organisations
// by their ids, names and aliases.
func orgAliases(ctx context.Context, e *env) (extract.OrgMatcher, error) {
	orgs, err := e.store.Orgs(ctx)
	if err != nil {
		return nil, err
	}
	m := map[string][]string{}
	for _, o := range orgs {
		m[o.ID] = append([]string{o.Name}, o.Aliases...) // Aliases adds the id
	}
	return extract.Aliases(m), nil
}

func newCrawlCookieCmd(g *globalOptions) *cobra.Command {
	cookie := &cobra.Command{Use: "cookie", Short: "Session cookies made by hand for sites behind a CAPTCHA"}
	set := &cobra.Command{
		Use:   "set SITE COOKIE",
		Short: `Use a session cookie made by hand ("name=value; …") for SITE, which unparks it`,
		Args:  cobra.ExactArgs(2),
		RunE: withEnv(g, nil, func(cmd *cobra.Command, args []string, e *env) error {
			if err := crawler.SetCookie(filepath.Join(e.dir, "crawl"), args[0], args[1]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "cookie set for %s; the next crawl uses it\n", args[0])
			return nil
		}),
	}
	cookie.AddCommand(set)
	return cookie
}

func newCrawlStatusCmd(g *globalOptions) *cobra.Command {
	var jsonOut bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Sites seen, their last crawl, sites parked waiting for a human, sites backed off, errors",
		Args:  cobra.NoArgs,
		RunE: withEnv(g, nil, func(cmd *cobra.Command, args []string, e *env) error {
			st, err := crawler.Status(filepath.Join(e.dir, "crawl"))
			if err != nil {
				return err
			}
			if jsonOut {
				return writeJSON(cmd.OutOrStdout(), st)
			}
			w := &errWriter{w: cmd.OutOrStdout()}
			if len(st) == 0 {
				fmt.Fprintln(w, "no site crawled yet")
			}
			for _, s := range st {
				last := "never"
				if !s.LastCrawl.IsZero() {
					last = s.LastCrawl.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(w, "%s  last crawl %s, %d pages, %d posts", s.Site, last, s.Pages, s.Posts)
				if s.Parked {
					fmt.Fprintf(w, ", PARKED: needs a human (%s at %s): solve it in Tor Browser, then `semak crawl cookie set %s COOKIE`", s.ParkedWhy, s.ParkedURL, s.Site)
				}
				if time.Now().Before(s.DeadUntil) {
					fmt.Fprintf(w, ", backed off until %s", s.DeadUntil.UTC().Format(time.RFC3339))
				}
				fmt.Fprintf(w, ", %d errors in the last run\n", s.Errors)
				// The latest few, newest first; --json has them all.
				for i := len(s.RecentErrors) - 1; i >= 0 && i >= len(s.RecentErrors)-3; i-- {
					e := s.RecentErrors[i]
					fmt.Fprintf(w, "    %s  %s  %s\n", e.At.UTC().Format(time.RFC3339), e.URL, e.Reason)
				}
			}
			return w.err
		}),
	}
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print JSON")
	return cmd
}
