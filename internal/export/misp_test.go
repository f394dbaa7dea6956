package export

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/semak/semak/crawler/posting"
	"github.com/semak/semak/fixtures/postings"
)

// taxonomy holds, for every predicate the export uses, all the values the
// MISP taxonomy defines (github.com/MISP/misp-taxonomies, machinetag.json
// of dark-web v6, infoleak v8, estimative-language v5, admiralty-scale v5),
// so MISPTags can only name real values.
var taxonomy = map[string][]string{
	"dark-web:topic": {"drugs-narcotics", "electronics", "finance", "finance-crypto", "credit-card", "cash-in", "cash-out",
		"escrow", "hacking", "identification-credentials", "intellectual-property-copyright-materials", "pornography-adult",
		"pornography-child-exploitation", "pornography-illicit-or-illegal", "search-engine-index", "unclear", "extremism",
		"violence", "weapons", "softwares", "counteir-feit-materials", "gambling", "library", "other-not-illegal",
		"legitimate", "chat", "mixer", "mystery-box", "anonymizer", "vpn-provider", "email-provider", "ponies", "games",
		"parody", "whistleblower", "ransomware-group"},
	"dark-web:motivation": {"education-training", "wiki", "forum", "file-sharing", "hosting", "ddos-services", "general",
		"information-sharing-reportage", "scam", "political-speech", "conspirationist", "hate-speech", "religious",
		"marketplace-for-sale", "smuggling", "recruitment-advocacy", "system-placeholder", "unclear"},
	"dark-web:structure": {"incomplete", "captcha", "login-forms", "contact-forms", "encryption-keys", "police-notice",
		"legal-statement", "test", "videos", "ransomware-post", "unclear"},
	"infoleak:source": {"public-website", "pastie-website", "electronic-forum", "mailing-list", "source-code-repository",
		"automatic-collection", "manual-analysis", "unknown", "other"},
	"infoleak:submission": {"manual", "automatic", "crawler"},
	"infoleak:confirmed":  {"false-positive", "false-negative", "true-positive", "true-negative"},
	"estimative-language:likelihood-probability": {"almost-no-chance", "very-unlikely", "unlikely", "roughly-even-chance",
		"likely", "very-likely", "almost-certain"},
	"estimative-language:confidence-in-analytic-judgment": {"low", "moderate", "high"},
	"admiralty-scale:source-reliability":                  {"a", "b", "c", "d", "e", "f", "g"},
	"admiralty-scale:information-credibility":             {"1", "2", "3", "4", "5", "6"},
}

// Attribute types MISP allows per category (describeTypes.json), for the
// ones the export uses.
var mispCategoryTypes = map[string][]string{
	"External analysis": {"url", "link", "text", "comment"},
	"Targeting data":    {"target-org", "comment"},
	"Attribution":       {"threat-actor", "text", "comment"},
	"Other":             {"text", "comment", "counter"},
}

var (
	reTag  = regexp.MustCompile(`^([a-z-]+:[a-z-]+)="([^"]+)"$`)
	reUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	reDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

func TestMISPTagsAreReal(t *testing.T) {
	for pred, vals := range MISPTags {
		all, ok := taxonomy[pred]
		if !ok {
			t.Errorf("predicate %s is not in the taxonomies", pred)
		}
		for _, v := range vals {
			if !slices.Contains(all, v) {
				t.Errorf("%s=%q is not a value of the taxonomy", pred, v)
			}
		}
	}
	for conf, l := range likelihood {
		if l[0] != "" && !slices.Contains(MISPTags["estimative-language:likelihood-probability"], l[0]) {
			t.Errorf("%s maps to undocumented %s", conf, l[0])
		}
	}
}

type mispDoc struct {
	Response []struct {
		Event map[string]json.RawMessage `json:"Event"`
	} `json:"response"`
}

type mispEventView struct {
	UUID          string `json:"uuid"`
	Info          string `json:"info"`
	Date          string `json:"date"`
	ThreatLevelID string `json:"threat_level_id"`
	Analysis      string `json:"analysis"`
	Distribution  string `json:"distribution"`
	Published     *bool  `json:"published"`
	Timestamp     string `json:"timestamp"`
	Tag           []struct {
		Name string `json:"name"`
	} `json:"Tag"`
	Attribute []struct {
		UUID     string `json:"uuid"`
		Type     string `json:"type"`
		Category string `json:"category"`
		Value    string `json:"value"`
		ToIDS    *bool  `json:"to_ids"`
	} `json:"Attribute"`
}

// checkMISP checks the restSearch shape and every event, and returns the
// events.
func checkMISP(t *testing.T, data []byte) []mispEventView {
	t.Helper()
	var doc mispDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not {\"response\":[{\"Event\":…}]}: %v", err)
	}
	var out []mispEventView
	for i, r := range doc.Response {
		for _, k := range []string{"uuid", "info", "date", "threat_level_id", "analysis", "distribution", "Tag", "Attribute"} {
			if _, ok := r.Event[k]; !ok {
				t.Errorf("event %d lacks %s", i, k)
			}
		}
		raw, _ := json.Marshal(r.Event)
		var ev mispEventView
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		if !reUUID.MatchString(ev.UUID) || ev.Info == "" || !reDate.MatchString(ev.Date) || ev.Published == nil || ev.Timestamp == "" {
			t.Errorf("event %d: %+v", i, ev)
		}
		if !slices.Contains([]string{"1", "2", "3", "4"}, ev.ThreatLevelID) || !slices.Contains([]string{"0", "1", "2"}, ev.Analysis) || ev.Distribution != "0" {
			t.Errorf("event %d: threat level %q analysis %q distribution %q", i, ev.ThreatLevelID, ev.Analysis, ev.Distribution)
		}
		preds := map[string]int{}
		for _, tg := range ev.Tag {
			m := reTag.FindStringSubmatch(tg.Name)
			if m == nil {
				t.Errorf("tag %q is not a machine tag", tg.Name)
				continue
			}
			if !slices.Contains(MISPTags[m[1]], m[2]) {
				t.Errorf("tag %q is not in MISPTags", tg.Name)
			}
			preds[m[1]]++
		}
		// Exclusive predicates appear at most once.
		for _, p := range []string{"infoleak:confirmed", "estimative-language:likelihood-probability", "estimative-language:confidence-in-analytic-judgment", "admiralty-scale:source-reliability", "admiralty-scale:information-credibility"} {
			if preds[p] > 1 {
				t.Errorf("event %d: exclusive %s tagged %d times", i, p, preds[p])
			}
		}
		seen := map[string]bool{}
		for _, a := range ev.Attribute {
			if !reUUID.MatchString(a.UUID) || seen[a.UUID] || a.Value == "" || a.ToIDS == nil || *a.ToIDS {
				t.Errorf("event %d: attribute %+v", i, a)
			}
			seen[a.UUID] = true
			if !slices.Contains(mispCategoryTypes[a.Category], a.Type) {
				t.Errorf("event %d: type %s not allowed in category %q", i, a.Type, a.Category)
			}
		}
		out = append(out, ev)
	}
	return out
}

func tagNames(ev mispEventView) []string {
	var out []string
	for _, t := range ev.Tag {
		out = append(out, t.Name)
	}
	return out
}

func TestMISPHandMade(t *testing.T) {
	got, _ := export(t, MISP, handMade(), 0)
	evs := checkMISP(t, got)
	if len(evs) != len(handMade()) {
		t.Fatalf("%d events", len(evs))
	}
	for i, tc := range []struct {
		threat, analysis string
		tags             []string
	}{
		{"4", "0", []string{`dark-web:topic="hacking"`, `dark-web:motivation="marketplace-for-sale"`, `dark-web:motivation="forum"`,
			`infoleak:source="electronic-forum"`, `infoleak:submission="crawler"`,
			`admiralty-scale:source-reliability="f"`, `admiralty-scale:information-credibility="6"`}},
		{"1", "2", []string{`dark-web:topic="hacking"`, `dark-web:motivation="file-sharing"`, `infoleak:source="pastie-website"`,
			`infoleak:submission="crawler"`, `infoleak:confirmed="true-positive"`,
			`estimative-language:likelihood-probability="almost-certain"`, `estimative-language:confidence-in-analytic-judgment="high"`,
			`admiralty-scale:source-reliability="f"`, `admiralty-scale:information-credibility="1"`}},
		{"3", "2", []string{`dark-web:topic="ransomware-group"`, `dark-web:structure="ransomware-post"`, `dark-web:motivation="marketplace-for-sale"`,
			`infoleak:source="other"`, `infoleak:submission="crawler"`, `infoleak:confirmed="true-positive"`,
			`estimative-language:likelihood-probability="very-likely"`, `estimative-language:confidence-in-analytic-judgment="moderate"`,
			`admiralty-scale:source-reliability="f"`, `admiralty-scale:information-credibility="2"`}},
		{"3", "2", []string{`dark-web:topic="hacking"`, `dark-web:motivation="marketplace-for-sale"`, `dark-web:motivation="forum"`,
			`infoleak:source="electronic-forum"`, `infoleak:submission="crawler"`, `infoleak:confirmed="false-positive"`,
			`estimative-language:likelihood-probability="likely"`, `estimative-language:confidence-in-analytic-judgment="moderate"`,
			`admiralty-scale:source-reliability="f"`, `admiralty-scale:information-credibility="4"`}},
		{"2", "2", []string{`dark-web:topic="hacking"`, `dark-web:motivation="marketplace-for-sale"`, `dark-web:motivation="forum"`,
			`infoleak:source="electronic-forum"`, `infoleak:submission="crawler"`,
			`estimative-language:confidence-in-analytic-judgment="low"`,
			`admiralty-scale:source-reliability="f"`, `admiralty-scale:information-credibility="6"`}},
		{"4", "1", []string{`dark-web:topic="hacking"`, `dark-web:motivation="marketplace-for-sale"`, `dark-web:motivation="forum"`,
			`infoleak:source="electronic-forum"`, `infoleak:submission="crawler"`,
			`admiralty-scale:source-reliability="f"`, `admiralty-scale:information-credibility="6"`}},
		{"4", "0", []string{`dark-web:topic="hacking"`, `infoleak:source="pastie-website"`,
			`admiralty-scale:source-reliability="f"`, `admiralty-scale:information-credibility="6"`}},
	} {
		ev := evs[i]
		if ev.ThreatLevelID != tc.threat || ev.Analysis != tc.analysis {
			t.Errorf("event %d: threat %s analysis %s, want %s %s", i, ev.ThreatLevelID, ev.Analysis, tc.threat, tc.analysis)
		}
		if got := tagNames(ev); !slices.Equal(got, tc.tags) {
			t.Errorf("event %d tags:\n got %q\nwant %q", i, got, tc.tags)
		}
	}
	ev := evs[0]
	if ev.UUID != uuid5("misp-event:p-0000000000000001") || ev.Date != "2024-03-05" || ev.Info != handMade()[0].Title {
		t.Errorf("event 0: %+v", ev)
	}
	want := map[string]string{ // type/category → a value
		"url/External analysis":     handMade()[0].URL,
		"target-org/Targeting data": "Maybank Islamic",
		"threat-actor/Attribution":  "Kaizen",
		"text/Attribution":          "tox:76A1B2C3D4E5F6",
		"counter/Other":             "1200000",
	}
	for k, v := range want {
		found := false
		for _, a := range ev.Attribute {
			if a.Type+"/"+a.Category == k && a.Value == v {
				found = true
			}
		}
		if !found {
			t.Errorf("event 0 lacks %s %q", k, v)
		}
	}
	for _, a := range ev.Attribute {
		if strings.Contains(a.Value, "850101") || strings.Contains(a.Value, "Siti Test") {
			t.Errorf("attribute leaks a sample row: %q", a.Value)
		}
	}
}

func TestMISPAssessOverrides(t *testing.T) {
	p := handMade()[1]
	tags := mispTags(p, &Assessment{Confidence: "very likely", SourceReliability: "C", InformationCredibility: "3"})
	names := make([]string, len(tags))
	for i, tg := range tags {
		names[i] = tg.Name
	}
	for _, w := range []string{`admiralty-scale:source-reliability="c"`, `admiralty-scale:information-credibility="3"`, `estimative-language:likelihood-probability="very-likely"`} {
		if !slices.Contains(names, w) {
			t.Errorf("tags %q lack %s", names, w)
		}
	}
	// Nonsense in the assessment falls back to the defaults.
	tags = mispTags(p, &Assessment{Confidence: "pretty sure", SourceReliability: "Z", InformationCredibility: "9"})
	names = names[:0]
	for _, tg := range tags {
		names = append(names, tg.Name)
	}
	for _, w := range []string{`admiralty-scale:source-reliability="f"`, `admiralty-scale:information-credibility="3"`} {
		if !slices.Contains(names, w) {
			t.Errorf("tags %q lack %s", names, w)
		}
	}
	// Without a verdict the assessment is not asked.
	asked := false
	var sink strings.Builder
	w, _ := NewWriter(&sink, Options{Format: MISP, Now: now, Assess: func(posting.Posting) (Assessment, bool) { asked = true; return Assessment{}, false }})
	_ = w.Write(handMade()[0])
	_ = w.Close()
	if asked {
		t.Error("Assess called for a posting without a verdict")
	}
}

func TestMISPGenerated(t *testing.T) {
	got, _ := export(t, MISP, postings.Generate(200, 1), 0)
	if evs := checkMISP(t, got); len(evs) != 200 {
		t.Fatalf("%d events", len(evs))
	}
}

func TestCredibilityTable(t *testing.T) {
	for _, tc := range []struct{ v, c, want string }{
		{"NEW", "almost certainly", "1"}, {"OLD", "very likely", "2"}, {"MIXED", "likely", "3"},
		{"FAKE", "almost certainly", "5"}, {"FAKE", "likely", "4"}, {"INCONCLUSIVE", "likely", "6"},
		{"NEW", "cannot say", "6"}, {"", "", "6"}, {"NEW", "", "3"}, {"FAKE", "", "4"},
	} {
		if got := credibility(tc.v, tc.c); got != tc.want {
			t.Errorf("credibility(%s, %s) = %s, want %s", tc.v, tc.c, got, tc.want)
		}
	}
}

// Without Options.Assess, the confidence and rating recorded on the
// posting's verdict (`semak verify --posting`) become the tags.
func TestMISPRecordedAssessment(t *testing.T) {
	p := handMade()[1]
	p.Verdict = &posting.Verdict{Verdict: "OLD", Confidence: "almost certainly", Admiralty: "B1"}
	var out bytes.Buffer
	w, err := NewWriter(&out, Options{Format: MISP, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(p); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`admiralty-scale:source-reliability=\"b\"`, `admiralty-scale:information-credibility=\"1\"`, `estimative-language:likelihood-probability=\"almost-certain\"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("export lacks %s", want)
		}
	}
}
