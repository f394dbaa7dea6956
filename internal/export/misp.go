package export

import (
	"strconv"
	"strings"

	"github.com/semak/semak/crawler/posting"
)

// MISPTags lists every machine tag the MISP export can put on an event,
// by namespace:predicate. Each value is a real value of the MISP taxonomy
// (github.com/MISP/misp-taxonomies: dark-web v6, infoleak v8,
// estimative-language v5, admiralty-scale v5).
var MISPTags = map[string][]string{
	// Topic: a posting selling or dumping stolen data is "hacking"
	// (illegal access to data); a ransomware leak site's posting is
	// "ransomware-group" with structure "ransomware-post".
	"dark-web:topic":     {"hacking", "ransomware-group"},
	"dark-web:structure": {"ransomware-post"},
	// Motivation: from the offer (sale/auction vs free) and the site type.
	"dark-web:motivation": {"marketplace-for-sale", "file-sharing", "forum"},
	// Source: from the site type (forum, paste, leak site, unknown).
	"infoleak:source": {"electronic-forum", "pastie-website", "other", "unknown"},
	// Submission: "crawler" when semak's crawler fetched the posting.
	"infoleak:submission": {"crawler"},
	// Confirmed: NEW and OLD are genuine leaks, FAKE is not.
	"infoleak:confirmed": {"true-positive", "false-positive"},
	// From the verdict's confidence word (needs Options.Assess).
	"estimative-language:likelihood-probability":          {"almost-certain", "very-likely", "likely"},
	"estimative-language:confidence-in-analytic-judgment": {"high", "moderate", "low"},
	// The seller's reliability (f: cannot be judged, unless the analyst
	// knows better) and the claim's credibility from the verdict.
	"admiralty-scale:source-reliability":      {"a", "b", "c", "d", "e", "f", "g"},
	"admiralty-scale:information-credibility": {"1", "2", "3", "4", "5", "6"},
}

// likelihood maps the statement's confidence words to
// estimative-language:likelihood-probability and
// confidence-in-analytic-judgment ("cannot say" has no likelihood).
var likelihood = map[string][2]string{
	"almost certainly": {"almost-certain", "high"},
	"very likely":      {"very-likely", "moderate"},
	"likely":           {"likely", "moderate"},
	"cannot say":       {"", "low"},
}

// credibility is matcher/verdict.Credibility's table: the admiralty
// information credibility of the claim "this is the organisation's data".
func credibility(verdict, confidence string) string {
	genuine := verdict == "NEW" || verdict == "OLD" || verdict == "MIXED"
	switch {
	case verdict == "" || verdict == "INCONCLUSIVE" || confidence == "cannot say":
		return "6"
	case genuine && confidence == "almost certainly":
		return "1"
	case genuine && confidence == "very likely":
		return "2"
	case genuine:
		return "3"
	case confidence == "almost certainly":
		return "5"
	default:
		return "4"
	}
}

func tag(pred, value string) mispTag { return mispTag{Name: pred + `="` + value + `"`} }

// mispTags returns the event's tags for p.
func mispTags(p posting.Posting, a *Assessment) []mispTag {
	var tags []mispTag
	if p.SiteType == posting.LeakSite {
		tags = append(tags, tag("dark-web:topic", "ransomware-group"), tag("dark-web:structure", "ransomware-post"))
	} else {
		tags = append(tags, tag("dark-web:topic", "hacking"))
	}
	switch p.Offer {
	case posting.Sale, posting.Auction:
		tags = append(tags, tag("dark-web:motivation", "marketplace-for-sale"))
	case posting.Free:
		tags = append(tags, tag("dark-web:motivation", "file-sharing"))
	}
	switch p.SiteType {
	case posting.Forum:
		tags = append(tags, tag("dark-web:motivation", "forum"), tag("infoleak:source", "electronic-forum"))
	case posting.Paste:
		tags = append(tags, tag("infoleak:source", "pastie-website"))
	case posting.LeakSite:
		tags = append(tags, tag("infoleak:source", "other"))
	default:
		tags = append(tags, tag("infoleak:source", "unknown"))
	}
	if !p.CrawledAt.IsZero() {
		tags = append(tags, tag("infoleak:submission", "crawler"))
	}
	verdict, conf := "", ""
	if p.Verdict != nil {
		verdict = p.Verdict.Verdict
	}
	if a != nil {
		conf = strings.ToLower(strings.TrimSpace(a.Confidence))
	}
	switch verdict {
	case "NEW", "OLD":
		tags = append(tags, tag("infoleak:confirmed", "true-positive"))
	case "FAKE":
		tags = append(tags, tag("infoleak:confirmed", "false-positive"))
	}
	if l, ok := likelihood[conf]; ok && verdict != "" {
		if l[0] != "" {
			tags = append(tags, tag("estimative-language:likelihood-probability", l[0]))
		}
		tags = append(tags, tag("estimative-language:confidence-in-analytic-judgment", l[1]))
	}
	rel := "f"
	if a != nil && len(a.SourceReliability) == 1 && strings.Contains("abcdefg", strings.ToLower(a.SourceReliability)) {
		rel = strings.ToLower(a.SourceReliability)
	}
	cred := credibility(verdict, conf)
	if a != nil && len(a.InformationCredibility) == 1 && strings.Contains("123456", a.InformationCredibility) && verdict != "" {
		cred = a.InformationCredibility
	}
	tags = append(tags, tag("admiralty-scale:source-reliability", rel), tag("admiralty-scale:information-credibility", cred))
	return tags
}

type mispTag struct {
	Name string `json:"name"`
}

type mispAttribute struct {
	UUID         string `json:"uuid"`
	Type         string `json:"type"`
	Category     string `json:"category"`
	Value        string `json:"value"`
	ToIDS        bool   `json:"to_ids"`
	Distribution string `json:"distribution"`
	Comment      string `json:"comment,omitempty"`
}

type mispOrg struct {
	Name string `json:"name"`
	UUID string `json:"uuid"`
}

type mispEvent struct {
	UUID          string          `json:"uuid"`
	Info          string          `json:"info"`
	Date          string          `json:"date"`
	ThreatLevelID string          `json:"threat_level_id"`
	Analysis      string          `json:"analysis"`
	Distribution  string          `json:"distribution"`
	Published     bool            `json:"published"`
	Timestamp     string          `json:"timestamp"`
	Orgc          mispOrg         `json:"Orgc"`
	Tag           []mispTag       `json:"Tag"`
	Attribute     []mispAttribute `json:"Attribute"`
}

// mispThreatLevel: 1 high, 2 medium, 3 low, 4 undefined.
func mispThreatLevel(verdict string) string {
	switch verdict {
	case "NEW":
		return "1"
	case "MIXED":
		return "2"
	case "OLD", "FAKE":
		return "3"
	}
	return "4"
}

// mispAnalysis: 0 initial, 1 ongoing, 2 completed.
func mispAnalysis(verdict string) string {
	switch verdict {
	case "":
		return "0"
	case "INCONCLUSIVE":
		return "1"
	}
	return "2"
}

// mispEncoder writes what MISP's events/restSearch returns with
// returnFormat json: {"response":[{"Event":{…}},…]}, one event per posting.
type mispEncoder struct {
	jsonArray
	opts *Options
}

func (e *mispEncoder) begin() error {
	_, err := e.w.WriteString(`{"response":[`)
	return err
}

func (e *mispEncoder) posting(p posting.Posting, a *Assessment) error {
	q := sanitize(p)
	day := firstSet(q.PostedAt, q.CrawledAt, e.opts.Now)
	stamp := firstSet(q.CrawledAt, q.PostedAt, e.opts.Now)
	for _, ed := range q.Edits {
		if ed.At.After(stamp) {
			stamp = ed.At.UTC()
		}
	}
	verdict := ""
	if q.Verdict != nil {
		verdict = q.Verdict.Verdict
		if q.Verdict.CheckedAt.After(stamp) {
			stamp = q.Verdict.CheckedAt.UTC()
		}
	}
	evUUID := uuid5("misp-event:" + q.ID)
	info := strings.TrimSpace(q.Title)
	if info == "" {
		info = clip(q.Body)
	}
	ev := mispEvent{
		UUID:          evUUID,
		Info:          info,
		Date:          day.Format("2006-01-02"),
		ThreatLevelID: mispThreatLevel(verdict),
		Analysis:      mispAnalysis(verdict),
		Distribution:  "0", // your organisation only: the receiver decides to share further
		Timestamp:     strconv.FormatInt(stamp.Unix(), 10),
		Orgc:          mispOrg{Name: e.opts.Producer, UUID: uuid5("producer:" + normName(e.opts.Producer))},
		Tag:           mispTags(q, a),
		Attribute:     []mispAttribute{},
	}
	seen := map[string]bool{}
	add := func(typ, cat, value, comment string) {
		value = strings.TrimSpace(value)
		key := typ + "\x00" + cat + "\x00" + value
		if value == "" || seen[key] {
			return
		}
		seen[key] = true
		ev.Attribute = append(ev.Attribute, mispAttribute{
			UUID: uuid5("misp-attribute:" + evUUID + "\x00" + key), Type: typ, Category: cat,
			Value: value, Distribution: "5", Comment: comment,
		})
	}
	add("url", "External analysis", q.URL, "posting on "+q.Site)
	for _, v := range q.Victims {
		add("target-org", "Targeting data", v, "claimed victim")
	}
	add("threat-actor", "Attribution", q.Author, "posting handle on "+q.Site)
	add("url", "External analysis", q.AuthorURL, "author profile")
	for _, c := range q.Contacts {
		add("text", "Attribution", c, "seller contact")
	}
	if q.ClaimedRecords > 0 {
		add("counter", "Other", strconv.FormatInt(q.ClaimedRecords, 10), "claimed records")
	}
	if len(q.DataClasses) > 0 {
		add("text", "Other", strings.Join(q.DataClasses, "; "), "claimed data classes")
	}
	if q.Offer != "" {
		offer := string(q.Offer)
		if q.Price > 0 {
			offer += " " + strconv.FormatFloat(q.Price, 'f', -1, 64) + " " + q.Currency
		}
		add("text", "Other", offer, "offer")
	}
	for _, l := range q.DownloadLinks {
		add("url", "External analysis", l, "download link")
	}
	for _, f := range q.SampleFiles {
		add("url", "External analysis", f.URL, "sample file reference (not fetched into this export)")
	}
	add("text", "Other", q.Body, "posting body excerpt (redacted, at most 500 characters)")
	if q.Verdict != nil {
		s := "semak verdict " + verdict
		if a != nil && a.Confidence != "" {
			s += " (" + a.Confidence + ")"
		}
		if q.Verdict.Basis != "" {
			s += ": " + q.Verdict.Basis
		}
		add("text", "Other", s, verdictMeaning(verdict))
	}
	b, err := marshal(struct {
		Event mispEvent `json:"Event"`
	}{ev})
	if err != nil {
		return err
	}
	return e.elem(b)
}

func (e *mispEncoder) end(int, bool) error {
	if e.n > 0 {
		if err := e.w.WriteByte('\n'); err != nil {
			return err
		}
	}
	_, err := e.w.WriteString("]}\n")
	return err
}
