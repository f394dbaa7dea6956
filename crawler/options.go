package crawler

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // forum time zones must not depend on the host's tzdata

	"github.com/semak/semak/crawler/extract"
	"github.com/semak/semak/crawler/frontier"
	"github.com/semak/semak/crawler/posting"
	"go.yaml.in/yaml/v3"
)

// Options configure Run. Socks is required: there is no direct mode.
type Options struct {
	Socks string // Tor's SocksPort, "127.0.0.1:9050"
	// AllowNonTor lets Run go on (with a warning) when the SOCKS server is
	// not Tor. For tests with an in-process SOCKS server only.
	AllowNonTor bool
	Sites       []SiteConfig
	DataDir     string // cookie jars, site state, WARC files
	UserAgent   string
	Now         func() time.Time
	Logger      *slog.Logger
	Orgs        extract.OrgMatcher
	Frontier    Frontier // nil: an in-memory one

	// Tuning; zero values take the defaults in brackets.
	Retries         int           // attempts after the first [3]
	BackoffBase     time.Duration // first retry delay, doubled each time, with jitter [2s]
	BackoffMax      time.Duration // [60s]
	DeadHostAfter   int           // consecutive failed pages before a site is backed off [5]
	DeadHostBackoff time.Duration // how long a dead site is left alone [6h]
	MaxQueueWait    time.Duration // longest Refresh delay of a queue page followed [60s]
	SampleMaxBytes  int64         // cap on a same-site sample file [5 MiB]
	WARCMaxBytes    int64         // WARC file rotation size [1 GiB]
	PollInterval    time.Duration // how often an idle worker asks the frontier again [200ms]
}

// SiteConfig is one site of the crawler config (YAML).
type SiteConfig struct {
	Name        string           `yaml:"name"`
	BaseURL     string           `yaml:"base_url"`
	Engine      string           `yaml:"engine"`
	Type        posting.SiteType `yaml:"type"`
	Start       []string         `yaml:"start"`
	Rate        float64          `yaml:"rate"` // requests per second [0.5]
	Parallelism int              `yaml:"parallelism"`
	MaxPages    int              `yaml:"max_pages"`
	MaxBody     int64            `yaml:"max_body_bytes"`
	Timeout     Duration         `yaml:"timeout"` // [90s]
	// DirectClearnet lets a clearnet site go direct (local DNS). Onions
	// never do: a direct site that leads to one is refused.
	DirectClearnet bool         `yaml:"direct_clearnet"`
	Recrawl        Duration     `yaml:"recrawl"` // [6h]
	Timezone       string       `yaml:"timezone"`
	Credentials    *Credentials `yaml:"credentials"`
	// CookieFile holds a Cookie header line ("a=b; c=d") made by hand.
	CookieFile string    `yaml:"cookie_file"`
	Profile    yaml.Node `yaml:"profile"` // overrides of the engine's profile
	MaxLinks   int       `yaml:"max_links_per_page"`
	// MaxThreadPages caps how many pages of one thread are read (the
	// first and the later ones reached by its next link) [20].
	MaxThreadPages int `yaml:"max_thread_pages"`
}

// Credentials name the environment variables that hold a site's login;
// the values are read at load time and never logged.
type Credentials struct {
	UsernameEnv   string            `yaml:"username_env"`
	PasswordEnv   string            `yaml:"password_env"`
	LoginPath     string            `yaml:"login_path"`
	UsernameField string            `yaml:"username_field"`
	PasswordField string            `yaml:"password_field"`
	Extra         map[string]string `yaml:"extra"`

	username, password Secret
}

// Secret is a string that never prints.
type Secret string

func (Secret) String() string                 { return "[redacted]" }
func (Secret) LogValue() slog.Value           { return slog.StringValue("[redacted]") }
func (s Secret) GoString() string             { return "[redacted]" }
func (s Secret) MarshalText() ([]byte, error) { return []byte("[redacted]"), nil }

// Duration reads "90s", "6h" in YAML.
type Duration time.Duration

func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration such as 90s or 6h", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// LoadConfig reads the sites of a crawler config:
//
//	sites:
//	  - name: leaklounge
//	    base_url: http://xxxx.onion/
//	    engine: mybb
//	    start: [/forumdisplay.php?fid=2]
//
// Unknown keys are errors; so is a credentials env var that is unset.
func LoadConfig(r io.Reader) ([]SiteConfig, error) {
	var doc struct {
		Sites []SiteConfig `yaml:"sites"`
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("crawler config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("crawler config: %w", err)
	}
	var errs []error
	for i := range doc.Sites {
		if err := doc.Sites[i].validate(); err != nil {
			errs = append(errs, fmt.Errorf("sites[%d] (%s): %w", i, doc.Sites[i].Name, err))
		}
	}
	if len(doc.Sites) == 0 {
		errs = append(errs, errors.New("no sites"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("crawler config: %w", err)
	}
	return doc.Sites, nil
}

var reSiteName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// validate checks a site and reads its credentials from the environment.
// extractSite is what the extractor needs of the site: its engine's
// profile with the site's overrides, and its time zone.
func (s SiteConfig) extractSite() (extract.Site, error) {
	prof, err := extract.Builtin(s.Engine)
	if err != nil {
		return extract.Site{}, err
	}
	if prof, err = prof.OverrideNode(&s.Profile); err != nil {
		return extract.Site{}, err
	}
	loc := time.UTC
	if s.Timezone != "" {
		if loc, err = time.LoadLocation(s.Timezone); err != nil {
			return extract.Site{}, fmt.Errorf("timezone %q: %w", s.Timezone, err)
		}
	}
	return extract.Site{Name: s.Name, BaseURL: s.BaseURL, Type: s.Type, Profile: prof, Location: loc}, nil
}

func (s *SiteConfig) validate() error {
	var errs []error
	if !reSiteName.MatchString(s.Name) {
		errs = append(errs, fmt.Errorf("name %q must be 1-64 of a-z, 0-9, '.', '_', '-' (it names the site's circuit and files)", s.Name))
	}
	u, err := url.Parse(s.BaseURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		errs = append(errs, fmt.Errorf("base_url %q is not an absolute http(s) URL", s.BaseURL))
	} else if s.DirectClearnet && isOnion(u.Hostname()) {
		errs = append(errs, fmt.Errorf("direct_clearnet is set for an .onion site: onions only go through Tor"))
	}
	if _, err := s.extractSite(); err != nil {
		errs = append(errs, err)
	}
	switch s.Type {
	case "", posting.Forum, posting.Paste, posting.LeakSite:
	default:
		errs = append(errs, fmt.Errorf("type %q is not one of forum, paste, leak_site", s.Type))
	}
	if s.Rate < 0 || s.Parallelism < 0 || s.MaxPages < 0 || s.MaxBody < 0 || s.Timeout < 0 || s.MaxLinks < 0 || s.MaxThreadPages < 0 {
		errs = append(errs, errors.New("rate, parallelism, max_pages, max_body_bytes, timeout, max_links_per_page and max_thread_pages must not be negative"))
	}
	if c := s.Credentials; c != nil {
		c.username, c.password = Secret(os.Getenv(c.UsernameEnv)), Secret(os.Getenv(c.PasswordEnv))
		if c.UsernameEnv == "" || c.PasswordEnv == "" || c.LoginPath == "" {
			errs = append(errs, errors.New("credentials need username_env, password_env and login_path"))
		} else if c.username == "" || c.password == "" {
			errs = append(errs, fmt.Errorf("credentials: environment variables %s and %s must be set", c.UsernameEnv, c.PasswordEnv))
		}
	}
	return errors.Join(errs...)
}

// withDefaults returns the site with zero fields set to their defaults.
func (s SiteConfig) withDefaults() SiteConfig {
	if s.Rate == 0 {
		s.Rate = 0.5
	}
	if s.Parallelism == 0 {
		s.Parallelism = 1
	}
	if s.MaxPages == 0 {
		s.MaxPages = 500
	}
	if s.MaxBody == 0 {
		s.MaxBody = 10 << 20
	}
	if s.Timeout == 0 {
		s.Timeout = Duration(90 * time.Second)
	}
	if s.Recrawl == 0 {
		s.Recrawl = Duration(6 * time.Hour)
	}
	if s.MaxLinks == 0 {
		s.MaxLinks = 500
	}
	if s.MaxThreadPages == 0 {
		s.MaxThreadPages = 20
	}
	if len(s.Start) == 0 {
		s.Start = []string{"/"}
	}
	if s.Type == "" {
		s.Type = posting.Forum
		if s.Engine == "paste" {
			s.Type = posting.Paste
		}
	}
	if s.Credentials != nil {
		if s.Credentials.UsernameField == "" {
			s.Credentials.UsernameField = "username"
		}
		if s.Credentials.PasswordField == "" {
			s.Credentials.PasswordField = "password"
		}
	}
	return s
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.UserAgent == "" {
		// The Tor Browser's user agent: the crowd a crawler should hide in.
		o.UserAgent = "Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0"
	}
	if o.Frontier == nil {
		o.Frontier = frontier.NewMemory()
	}
	if o.Retries == 0 {
		o.Retries = 3
	}
	if o.BackoffBase == 0 {
		o.BackoffBase = 2 * time.Second
	}
	if o.BackoffMax == 0 {
		o.BackoffMax = 60 * time.Second
	}
	if o.DeadHostAfter == 0 {
		o.DeadHostAfter = 5
	}
	if o.DeadHostBackoff == 0 {
		o.DeadHostBackoff = 6 * time.Hour
	}
	if o.MaxQueueWait == 0 {
		o.MaxQueueWait = 60 * time.Second
	}
	if o.SampleMaxBytes == 0 {
		o.SampleMaxBytes = 5 << 20
	}
	if o.PollInterval == 0 {
		o.PollInterval = 200 * time.Millisecond
	}
	return o
}

// Validate reports what is wrong with the options before any traffic.
func (o Options) Validate() error {
	var errs []error
	if strings.TrimSpace(o.Socks) == "" {
		errs = append(errs, ErrNoSocks)
	} else if _, _, err := net.SplitHostPort(o.Socks); err != nil {
		errs = append(errs, fmt.Errorf("socks %q must be host:port: %w", o.Socks, err))
	}
	if o.DataDir == "" {
		errs = append(errs, errors.New("no data directory (cookie jars, site state and WARC files live there)"))
	}
	if len(o.Sites) == 0 {
		errs = append(errs, errors.New("no sites to crawl"))
	}
	names, hosts := map[string]bool{}, map[string]string{}
	for i := range o.Sites {
		s := &o.Sites[i]
		if err := s.validate(); err != nil {
			errs = append(errs, fmt.Errorf("site %s: %w", s.Name, err))
			continue
		}
		if names[s.Name] {
			errs = append(errs, fmt.Errorf("site %s: name used twice", s.Name))
		}
		names[s.Name] = true
		h := hostOf(s.BaseURL)
		if other, ok := hosts[h]; ok {
			errs = append(errs, fmt.Errorf("site %s: host %s is also site %s", s.Name, h, other))
		}
		hosts[h] = s.Name
	}
	return errors.Join(errs...)
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}
