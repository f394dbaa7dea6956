package extract

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/andybalholm/cascadia"
	"go.yaml.in/yaml/v3"
)

// Profile says how to read one forum engine's pages. Built-in profiles
// live in profiles/*.yaml; a site's config may override any field, so
// adding a forum of a known engine is a config change, not code.
type Profile struct {
	Engine  string       `yaml:"engine"`
	Listing ListingRules `yaml:"listing"`
	Thread  ThreadRules  `yaml:"thread"`
	Front   FrontRules   `yaml:"front"`
}

// ListingRules read a page that lists threads.
type ListingRules struct {
	// Threads selects the anchors that lead to thread pages.
	Threads string `yaml:"threads"`
	// Next selects the anchor of the next listing page.
	Next string `yaml:"next"`
	// ThreadURL, when set, is a regexp a thread link must match; it keeps
	// "last post" and moderator links out of the frontier.
	ThreadURL string `yaml:"thread_url"`
}

// ThreadRules read a thread page; its first post is the posting.
type ThreadRules struct {
	Title     string `yaml:"title"`
	Section   string `yaml:"section"` // breadcrumb; the last match is used
	Post      string `yaml:"post"`    // one element per post
	PostID    Field  `yaml:"post_id"` // relative to the post element
	Author    Field  `yaml:"author"`
	AuthorURL Field  `yaml:"author_url"`
	Date      Field  `yaml:"date"` // attr (datetime, title) first, text second
	Body      string `yaml:"body"`
	Next      string `yaml:"next"`
	Canonical Field  `yaml:"canonical"`
	ThreadID  string `yaml:"thread_id"` // regexp on the URL, first group
	// Samples selects code/pre/hide blocks inside the body that may hold
	// sample rows; only blocks that look like rows become samples.
	Samples    string   `yaml:"samples"`
	Hidden     string   `yaml:"hidden"`
	HiddenText []string `yaml:"hidden_text"`
	Locked     string   `yaml:"locked"`
	LockedText []string `yaml:"locked_text"`
	// CanonicalDrop lists query parameters that do not change which
	// thread a URL shows (session ids, highlights, post anchors).
	CanonicalDrop []string `yaml:"canonical_drop"`
	// LaterPage is a regexp on the URL that marks a thread's second or
	// later page: its first post is a reply, not the posting. The crawler
	// reads later pages from the thread's first page (following next).
	LaterPage string `yaml:"later_page"`
}

// FrontRules recognise DDoS-front pages (EndGame-style queues, CAPTCHAs).
// Markers are matched case-insensitively against the page text.
type FrontRules struct {
	QueueMarkers   []string `yaml:"queue_markers"`
	CaptchaMarkers []string `yaml:"captcha_markers"`
	// Captcha selects elements that only a CAPTCHA page has.
	Captcha string `yaml:"captcha"`
}

// Field selects an element and, optionally, reads an attribute of it and
// keeps the first group of a regexp. In YAML a plain string is the
// selector alone.
type Field struct {
	Selector string `yaml:"selector"`
	Attr     string `yaml:"attr"`
	Pattern  string `yaml:"pattern"`
}

// UnmarshalYAML accepts a plain selector string as well as a mapping.
func (f *Field) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		f.Selector, f.Attr, f.Pattern = n.Value, "", ""
		return nil
	}
	type plain Field
	return n.Decode((*plain)(f))
}

var defaultFront = FrontRules{
	QueueMarkers:   []string{"you are in the queue", "queue position", "estimated wait", "anda dalam giliran", "anda dalam antrean", "please wait while we verify"},
	CaptchaMarkers: []string{"captcha", "prove you are human", "i am not a robot", "solve the puzzle", "sahkan anda manusia"},
	Captcha:        `input[name*=captcha], img[src*=captcha], form[action*=captcha]`,
}

//go:embed profiles/*.yaml
var builtinFS embed.FS

// Engines lists the built-in engine names.
func Engines() []string {
	ents, _ := builtinFS.ReadDir("profiles")
	var names []string
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// Builtin returns the built-in profile of an engine (mybb, xenforo, phpbb,
// paste).
func Builtin(engine string) (Profile, error) {
	b, err := builtinFS.ReadFile("profiles/" + engine + ".yaml")
	if err != nil {
		return Profile{}, fmt.Errorf("no built-in profile for engine %q (known: %s)", engine, strings.Join(Engines(), ", "))
	}
	var p Profile
	if err := decodeStrict(b, &p); err != nil {
		return Profile{}, fmt.Errorf("built-in profile %s: %w", engine, err)
	}
	p.fillDefaults()
	return p, p.Validate()
}

// Override returns p with the fields set in the YAML document y replaced
// (fields y does not mention keep p's values). Unknown keys are an error
// so that a typo in a site's config is not silently ignored.
func (p Profile) Override(y []byte) (Profile, error) {
	out := p
	// Slices would be appended to by some decoders; copy them so the
	// caller's profile is never changed.
	out.Thread.HiddenText = append([]string(nil), p.Thread.HiddenText...)
	out.Thread.LockedText = append([]string(nil), p.Thread.LockedText...)
	out.Thread.CanonicalDrop = append([]string(nil), p.Thread.CanonicalDrop...)
	out.Front.QueueMarkers = append([]string(nil), p.Front.QueueMarkers...)
	out.Front.CaptchaMarkers = append([]string(nil), p.Front.CaptchaMarkers...)
	if err := decodeStrict(y, &out); err != nil {
		return Profile{}, fmt.Errorf("profile override: %w", err)
	}
	out.fillDefaults()
	return out, out.Validate()
}

// OverrideNode is Override for a profile already parsed as part of a
// larger YAML document (a site's entry in the crawler config).
func (p Profile) OverrideNode(n *yaml.Node) (Profile, error) {
	if n == nil || n.Kind == 0 {
		return p, nil
	}
	b, err := yaml.Marshal(n)
	if err != nil {
		return Profile{}, fmt.Errorf("profile override: %w", err)
	}
	return p.Override(b)
}

func decodeStrict(b []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	// An empty document (io.EOF) overrides nothing.
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

func (p *Profile) fillDefaults() {
	if len(p.Front.QueueMarkers) == 0 {
		p.Front.QueueMarkers = defaultFront.QueueMarkers
	}
	if len(p.Front.CaptchaMarkers) == 0 {
		p.Front.CaptchaMarkers = defaultFront.CaptchaMarkers
	}
	if p.Front.Captcha == "" {
		p.Front.Captcha = defaultFront.Captcha
	}
}

// Validate checks that every selector and regexp compiles, naming the
// field that does not.
func (p Profile) Validate() error {
	var errs []error
	sel := func(name, s string) {
		if s == "" {
			return
		}
		if _, err := cascadia.ParseGroup(s); err != nil {
			errs = append(errs, fmt.Errorf("%s: selector %q: %w", name, s, err))
		}
	}
	re := func(name, s string) {
		if s == "" {
			return
		}
		if _, err := regexp.Compile(s); err != nil {
			errs = append(errs, fmt.Errorf("%s: regexp %q: %w", name, s, err))
		}
	}
	sel("listing.threads", p.Listing.Threads)
	sel("listing.next", p.Listing.Next)
	re("listing.thread_url", p.Listing.ThreadURL)
	t := p.Thread
	sel("thread.title", t.Title)
	sel("thread.section", t.Section)
	sel("thread.post", t.Post)
	sel("thread.post_id.selector", t.PostID.Selector)
	re("thread.post_id.pattern", t.PostID.Pattern)
	sel("thread.author.selector", t.Author.Selector)
	sel("thread.author_url.selector", t.AuthorURL.Selector)
	sel("thread.date.selector", t.Date.Selector)
	sel("thread.body", t.Body)
	sel("thread.next", t.Next)
	sel("thread.canonical.selector", t.Canonical.Selector)
	re("thread.thread_id", t.ThreadID)
	re("thread.later_page", t.LaterPage)
	sel("thread.samples", t.Samples)
	sel("thread.hidden", t.Hidden)
	sel("thread.locked", t.Locked)
	sel("front.captcha", p.Front.Captcha)
	if t.Post == "" || t.Body == "" {
		errs = append(errs, errors.New("thread.post and thread.body are required"))
	}
	if p.Listing.Threads == "" {
		errs = append(errs, errors.New("listing.threads is required"))
	}
	return errors.Join(errs...)
}
