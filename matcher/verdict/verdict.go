// Package verdict is the vocabulary of a verification's answer: the verdict,
// its basis, and the evidence, with the JSON keys that `semak verify --json`
// prints. Those keys are a public contract (integrations and acceptance
// tests depend on them): extend, never rename.
//
// It imports only the standard library and matcher/stats (itself stdlib
// only), so the matcher, the case store and the web layer can share it.
package verdict

import "github.com/semak/semak/matcher/stats"

// Kind is the verdict itself.
type Kind string

// The verdicts.
const (
	New          Kind = "NEW"          // genuine, consistent with the latest state, not explained by earlier leaks
	Old          Kind = "OLD"          // genuine but old: an earlier leak, an older snapshot, a partner's extract
	Fake         Kind = "FAKE"         // not the claimed organisation's data: fabricated or another's relabelled
	Mixed        Kind = "MIXED"        // a genuine part padded with records that are not
	Inconclusive Kind = "INCONCLUSIVE" // too few usable records, or signals that conflict
)

// Basis names the evidence a verdict rests on. The values are the contract.
type Basis string

// The bases.
const (
	CurrentSnapshot   Basis = "current_snapshot"
	SnapshotDating    Basis = "snapshot_dating"
	KnownLeak         Basis = "known_leak"
	Canary            Basis = "canary"
	OtherSource       Basis = "other_source"
	Fabricated        Basis = "fabricated"
	NoMatch           Basis = "no_match"
	TooFewRows        Basis = "too_few_rows"
	NewerThanSnapshot Basis = "newer_than_snapshot"
)

// Flags raised beside the verdict.
const (
	FlagDuplicates             = "duplicates"
	FlagClaimedSizeImplausible = "claimed_size_implausible"
)

// Verdict is the answer to one verification, as `verify --json` prints it.
type Verdict struct {
	Verdict        Kind           `json:"verdict"`
	GenuineVerdict Kind           `json:"genuine_verdict,omitempty"`
	Basis          []Basis        `json:"basis"`
	Claim          Claim          `json:"claim"`
	Sample         Sample         `json:"sample"`
	Match          stats.Rate     `json:"match"`
	PerSnapshot    []SnapshotRate `json:"per_snapshot"`
	Dating         *Dating        `json:"dating,omitempty"`
	OtherSources   []SourceRate   `json:"other_sources"`
	Detectors      []Detection    `json:"detectors"`
	PaddingChecks  []Detection    `json:"padding_detectors,omitempty"`
	KnownLeaks     []LeakOverlap  `json:"known_leaks"`
	Canaries       []CanaryHit    `json:"canaries"`
	Cites          []Citation     `json:"cites,omitempty"`
	Newer          int64          `json:"newer_than_snapshot"`
	Flags          []string       `json:"flags"`
	Reasons        []string       `json:"reasons"`
	Settle         string         `json:"what_would_settle_it,omitempty"`
	SettleMS       string         `json:"what_would_settle_it_ms,omitempty"`
	Statement      Statement      `json:"statement"`
	Admiralty      Admiralty      `json:"admiralty"`
	Thresholds     Thresholds     `json:"thresholds"`
}

// Claim is what was claimed.
type Claim struct {
	Org          string `json:"org"`
	Name         string `json:"name"`
	ClaimedCount int64  `json:"claimed_count,omitempty"`
	Population   int64  `json:"population,omitempty"`
}

// Sample counts the sample's rows.
type Sample struct {
	SHA256 string `json:"sha256"`
	Rows   int64  `json:"rows"`
	Usable int64  `json:"usable"`
	Unique int64  `json:"unique"`
}

// SnapshotRate is the claimed organisation's match against one snapshot:
// records attributed to it (anchor and organisation-only fields agree), and
// per field the share of anchor-matched records whose value agrees.
type SnapshotRate struct {
	Source   string `json:"source"`
	Snapshot string `json:"snapshot"`
	stats.Rate
	Anchor stats.Rate            `json:"anchor"`
	Fields map[string]stats.Rate `json:"fields"`
}

// Dating says which snapshot the data fits best.
type Dating struct {
	Snapshot      string  `json:"snapshot"`
	RunnerUp      string  `json:"runner_up"`
	Log10LR       float64 `json:"log10_lr"`
	Latest        string  `json:"latest"`
	Log10LRLatest float64 `json:"log10_lr_vs_latest"`
	Records       int64   `json:"discriminating_records"`
	FieldError    float64 `json:"field_error_rate"`
}

// SourceRate is another registered source's rate on its own
// organisation-only fields.
type SourceRate struct {
	Source string `json:"source"`
	stats.Rate
}

// Statement is the plain-language answer, in English and Malay, with the
// estimative word the numbers support.
type Statement struct {
	EN         string `json:"en"`
	MS         string `json:"ms"`
	Confidence string `json:"confidence"`
}

// Thresholds are the rules' numbers as used, so a reader can check them.
type Thresholds struct {
	MinUsable      int64   `json:"min_usable"`
	FieldErrorRate float64 `json:"field_error_rate"`
	NameDice       float64 `json:"name_dice"`
	OldLog10LR     float64 `json:"old_log10_lr"`
	KnownLeakShare float64 `json:"known_leak_share"`
	NoneBelow      float64 `json:"none_below"`
	AllAbove       float64 `json:"all_above"`
}

// LeakOverlap is a known earlier leak's overlap with the sample: matched of
// n records are explained by its rows.
type LeakOverlap struct {
	Posting string  `json:"posting"`
	Date    string  `json:"date"`
	Org     string  `json:"org,omitempty"`
	Title   string  `json:"title,omitempty"`
	Matched int64   `json:"matched"`
	N       int64   `json:"n"`
	Overlap float64 `json:"overlap"`
	Low     float64 `json:"low"`
	High    float64 `json:"high"`
}

// CanaryHit is a canary set found in the sample.
type CanaryHit struct {
	Source  string `json:"source"`
	Partner string `json:"partner"`
	AsOf    string `json:"as_of"`
	Hits    int64  `json:"hits"`
}

// Citation is evidence a statement names: an earlier posting or a partner
// extract.
type Citation struct {
	Kind    string `json:"kind"` // "known_leak" | "canary"
	Posting string `json:"posting,omitempty"`
	Partner string `json:"partner,omitempty"`
	Date    string `json:"date"`
}

// Admiralty is the MISP admiralty-scale rating of the claim: how reliable
// its source is (A–F; a seller on a leak forum is F, "cannot be judged",
// unless the analyst knows better) and how credible the information is
// (1–6), from the verdict and its confidence.
type Admiralty struct {
	SourceReliability      string `json:"source_reliability"`
	InformationCredibility string `json:"information_credibility"`
}

// Credibility maps a verdict and its confidence word to the admiralty
// scale's information credibility: the claim that this is the
// organisation's data.
func Credibility(k Kind, confidence string) string {
	genuine := k == New || k == Old || k == Mixed
	switch {
	case k == Inconclusive || confidence == "cannot say":
		return "6" // truth cannot be judged
	case genuine && confidence == "almost certainly":
		return "1" // confirmed by other sources
	case genuine && confidence == "very likely":
		return "2" // probably true
	case genuine:
		return "3" // possibly true
	case confidence == "almost certainly":
		return "5" // improbable
	default:
		return "4" // doubtful
	}
}

// Detection is one fabrication detector's result on the sample (or, for
// MIXED, on the part that matched nothing): counts and statistics only.
type Detection struct {
	Detector  string  `json:"detector"`
	Flagged   bool    `json:"flagged"`
	Statistic string  `json:"statistic"`
	P         float64 `json:"p,omitempty"`
	Share     float64 `json:"share"`
	N         int     `json:"n"`
	MinN      int     `json:"min_n"`
	Note      string  `json:"note"`
}
