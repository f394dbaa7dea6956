package export

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/semak/semak/fixtures/postings"
)

// The STIX 2.1 specification's REQUIRED properties per object type (only
// the types this package writes; §4–§5), besides the common type,
// spec_version, id, created and modified.
var stixRequired = map[string][]string{
	"identity":     {"name"},
	"threat-actor": {"name"},
	"report":       {"name", "published", "object_refs"},
	"relationship": {"relationship_type", "source_ref", "target_ref"},
	"opinion":      {"opinion", "object_refs"},
	"note":         {"content", "object_refs"},
}

// Vocabulary values from the specification (§10) for the properties the
// export fills.
var stixVocab = map[string][]string{
	"identity_class":     {"individual", "group", "system", "organization", "class", "unknown"},
	"threat_actor_types": {"activist", "competitor", "crime-syndicate", "criminal", "hacker", "insider-accidental", "insider-disgruntled", "nation-state", "sensationalist", "spy", "terrorist", "unknown"},
	"primary_motivation": {"accidental", "coercion", "dominance", "ideology", "notoriety", "organizational-gain", "personal-gain", "personal-satisfaction", "revenge", "unpredictable"},
	"report_types":       {"attack-pattern", "campaign", "identity", "indicator", "intrusion-set", "malware", "observed-data", "threat-actor", "threat-report", "tool", "vulnerability"},
	"opinion":            {"strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"},
	"relationship_type":  {"targets"},
}

var (
	reSTIXID    = regexp.MustCompile(`^([a-z0-9-]+)--[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	reTimestamp = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
	reCustom    = regexp.MustCompile(`^x_[a-z0-9_]{1,248}$`)
)

// The properties the spec defines for these types (anything else must be
// a custom x_ property).
var stixKnown = map[string]bool{
	"type": true, "spec_version": true, "id": true, "created_by_ref": true, "created": true, "modified": true,
	"revoked": true, "labels": true, "confidence": true, "lang": true, "external_references": true,
	"object_marking_refs": true, "granular_markings": true, "extensions": true,
	"name": true, "description": true, "roles": true, "identity_class": true, "sectors": true, "contact_information": true,
	"threat_actor_types": true, "aliases": true, "first_seen": true, "last_seen": true, "goals": true,
	"sophistication": true, "resource_level": true, "primary_motivation": true, "secondary_motivations": true, "personal_motivations": true,
	"report_types": true, "published": true, "object_refs": true,
	"relationship_type": true, "source_ref": true, "target_ref": true, "start_time": true, "stop_time": true,
	"explanation": true, "authors": true, "opinion": true, "abstract": true, "content": true,
}

// validateBundle checks a bundle against the parts of STIX 2.1 the export
// uses and returns its objects.
func validateBundle(t *testing.T, data []byte) []map[string]any {
	t.Helper()
	var b struct {
		Type    string           `json:"type"`
		ID      string           `json:"id"`
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatalf("bundle is not JSON: %v", err)
	}
	if b.Type != "bundle" || !reSTIXID.MatchString(b.ID) || reSTIXID.FindStringSubmatch(b.ID)[1] != "bundle" {
		t.Fatalf("bundle type %q id %q", b.Type, b.ID)
	}
	ids := map[string]bool{}
	for _, o := range b.Objects {
		id, _ := o["id"].(string)
		if ids[id] {
			t.Errorf("id %s appears twice in the bundle", id)
		}
		ids[id] = true
	}
	str := func(o map[string]any, k string) string {
		s, ok := o[k].(string)
		if !ok || s == "" {
			t.Errorf("%v: %s must be a non-empty string, is %#v", o["id"], k, o[k])
		}
		return s
	}
	ref := func(o map[string]any, k, s string) {
		if !reSTIXID.MatchString(s) {
			t.Errorf("%v: %s %q is not an identifier", o["id"], k, s)
		} else if !ids[s] {
			t.Errorf("%v: %s %s does not resolve in the bundle", o["id"], k, s)
		}
	}
	strs := func(o map[string]any, k string) []string {
		raw, ok := o[k].([]any)
		if !ok || len(raw) == 0 {
			t.Errorf("%v: %s must be a non-empty list, is %#v", o["id"], k, o[k])
			return nil
		}
		var out []string
		for _, x := range raw {
			s, ok := x.(string)
			if !ok || s == "" {
				t.Errorf("%v: %s holds %#v", o["id"], k, x)
			}
			out = append(out, s)
		}
		return out
	}
	for _, o := range b.Objects {
		typ := str(o, "type")
		id := str(o, "id")
		m := reSTIXID.FindStringSubmatch(id)
		if m == nil || m[1] != typ {
			t.Errorf("id %q does not match type %q", id, typ)
		}
		if o["spec_version"] != "2.1" {
			t.Errorf("%s: spec_version %v", id, o["spec_version"])
		}
		req, ok := stixRequired[typ]
		if !ok {
			t.Errorf("%s: unexpected type %q", id, typ)
			continue
		}
		var times [2]time.Time
		for i, k := range []string{"created", "modified"} {
			s := str(o, k)
			if !reTimestamp.MatchString(s) {
				t.Errorf("%s: %s %q is not RFC 3339 UTC with milliseconds", id, k, s)
			}
			times[i], _ = time.Parse(time.RFC3339Nano, s)
		}
		if times[1].Before(times[0]) {
			t.Errorf("%s: modified %v before created %v", id, times[1], times[0])
		}
		for _, k := range req {
			if _, ok := o[k]; !ok {
				t.Errorf("%s: required property %s missing", id, k)
			}
		}
		for k := range o {
			if !stixKnown[k] && !reCustom.MatchString(k) {
				t.Errorf("%s: property %q is neither STIX nor x_ custom", id, k)
			}
		}
		if s, ok := o["created_by_ref"].(string); ok {
			ref(o, "created_by_ref", s)
		}
		if s, ok := o["published"]; ok && !reTimestamp.MatchString(s.(string)) {
			t.Errorf("%s: published %v", id, s)
		}
		for _, k := range []string{"name", "content", "relationship_type", "opinion", "identity_class"} {
			if _, ok := o[k]; ok {
				str(o, k)
			}
		}
		for _, k := range []string{"object_refs"} {
			if _, ok := o[k]; ok {
				for _, r := range strs(o, k) {
					ref(o, k, r)
				}
			}
		}
		for _, k := range []string{"source_ref", "target_ref"} {
			if _, ok := o[k]; ok {
				ref(o, k, str(o, k))
			}
		}
		for k, allowed := range stixVocab {
			v, ok := o[k]
			if !ok {
				continue
			}
			var vals []string
			if s, isStr := v.(string); isStr {
				vals = []string{s}
			} else {
				vals = strs(o, k)
			}
			for _, s := range vals {
				if !slices.Contains(allowed, s) {
					t.Errorf("%s: %s %q not in the vocabulary", id, k, s)
				}
			}
		}
		if typ == "relationship" {
			src, dst := reSTIXID.FindStringSubmatch(o["source_ref"].(string)), reSTIXID.FindStringSubmatch(o["target_ref"].(string))
			if src == nil || dst == nil || src[1] != "threat-actor" || dst[1] != "identity" {
				t.Errorf("%s: targets from %v to %v", id, o["source_ref"], o["target_ref"])
			}
		}
		if refs, ok := o["external_references"].([]any); ok {
			for _, r := range refs {
				er, _ := r.(map[string]any)
				if s, _ := er["source_name"].(string); s == "" {
					t.Errorf("%s: external reference without source_name", id)
				}
				if er["url"] == nil && er["external_id"] == nil && er["description"] == nil {
					t.Errorf("%s: external reference with neither url, external_id nor description", id)
				}
			}
		}
	}
	return b.Objects
}

func countType(objs []map[string]any, typ string) int {
	n := 0
	for _, o := range objs {
		if o["type"] == typ {
			n++
		}
	}
	return n
}

func TestSTIXGenerated(t *testing.T) {
	ps := postings.Generate(200, 1)
	got, w := export(t, STIX, ps, 0)
	if w.Count() != 200 {
		t.Fatalf("wrote %d", w.Count())
	}
	objs := validateBundle(t, got)
	withVerdict, victims, authors := 0, map[string]bool{}, map[string]bool{}
	for _, p := range ps {
		if p.Verdict != nil {
			withVerdict++
		}
		for _, v := range p.Victims {
			victims[normName(v)] = true
		}
		if p.Author != "" {
			authors[normName(p.Site)+"\x00"+normName(p.Author)] = true
		}
	}
	if n := countType(objs, "report"); n != 200 {
		t.Errorf("%d reports", n)
	}
	if n := countType(objs, "opinion"); n != withVerdict {
		t.Errorf("%d opinions for %d verdicts", n, withVerdict)
	}
	if n := countType(objs, "note"); n != withVerdict+1 {
		t.Errorf("%d notes for %d verdicts and the export note", n, withVerdict)
	}
	// Shared victims and actors are emitted once: one identity per name
	// plus the producer.
	if n := countType(objs, "identity"); n != len(victims)+1 {
		t.Errorf("%d identities for %d victim names", n, len(victims))
	}
	if n := countType(objs, "threat-actor"); n != len(authors) {
		t.Errorf("%d threat actors for %d site/author pairs", n, len(authors))
	}
	for _, s := range []string{"\"samples\"", "sample.csv"} {
		if bytes.Contains(got, []byte(s)) {
			t.Errorf("bundle contains %s", s)
		}
	}
}

func TestSTIXHandMade(t *testing.T) {
	got, _ := export(t, STIX, handMade(), 0)
	objs := validateBundle(t, got)
	byID := map[string]map[string]any{}
	for _, o := range objs {
		byID[o["id"].(string)] = o
	}
	// Maybank is named by four postings and the leak site, and is one identity.
	maybank := "identity--" + uuid5("victim:maybank")
	if byID[maybank] == nil || byID[maybank]["identity_class"] != "organization" {
		t.Fatalf("maybank identity: %v", byID[maybank])
	}
	n := 0
	for _, o := range objs {
		if o["name"] == "Maybank" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("Maybank appears as %d objects", n)
	}
	// Opinions follow the verdicts.
	want := map[string]string{
		"p-0000000000000002": "strongly-agree", // NEW, almost certainly
		"p-0000000000000003": "disagree",       // OLD
		"p-0000000000000040": "strongly-disagree",
		"p-0000000000000050": "neutral",
		"p-0000000000000060": "neutral",
	}
	for pid, op := range want {
		rep := "report--" + uuid5("report:"+pid)
		found := false
		for _, o := range objs {
			if o["type"] == "opinion" && o["object_refs"].([]any)[0] == rep {
				found = true
				if o["opinion"] != op {
					t.Errorf("%s: opinion %v, want %s", pid, o["opinion"], op)
				}
			}
		}
		if !found {
			t.Errorf("%s: no opinion", pid)
		}
	}
	// The report of the forum posting: name, URL, excerpt, edits in modified.
	rep := byID["report--"+uuid5("report:p-0000000000000001")]
	if rep["name"] != handMade()[0].Title || rep["lang"] != "ms" || rep["x_semak_claimed_records"] != float64(1200000) {
		t.Errorf("report %v", rep)
	}
	ext := rep["external_references"].([]any)[0].(map[string]any)
	if ext["url"] != handMade()[0].URL || ext["source_name"] != "breachforums" {
		t.Errorf("external reference %v", ext)
	}
	leak := byID["report--"+uuid5("report:p-0000000000000003")]
	if leak["created"] != "2024-03-04T10:14:00.000Z" || leak["modified"] != "2024-03-05T08:14:00.000Z" || leak["published"] != "2024-03-04T04:14:00.000Z" {
		t.Errorf("leak report times %v %v %v", leak["created"], leak["modified"], leak["published"])
	}
	// The bare paste refers to the producer.
	bare := byID["report--"+uuid5("report:p-0000000000000007")]
	if refs := bare["object_refs"].([]any); len(refs) != 1 || byID[refs[0].(string)]["identity_class"] != "system" {
		t.Errorf("bare report refs %v", refs)
	}
	// The export note carries the query and refers to every report.
	last := objs[len(objs)-1]
	if last["type"] != "note" || !bytes.Contains([]byte(last["content"].(string)), []byte(`victim:maybank \"bocor\"`)) || len(last["object_refs"].([]any)) != len(handMade()) {
		t.Errorf("export note %v", last)
	}
}

// Ids do not depend on when the export runs; the bundle's does.
func TestSTIXIDsStable(t *testing.T) {
	ids := func(at time.Time) (bundle string, rest []string) {
		var buf bytes.Buffer
		w, err := NewWriter(&buf, Options{Format: STIX, Now: at})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range handMade() {
			if err := w.Write(p); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		var b struct {
			ID      string `json:"id"`
			Objects []struct {
				ID   string `json:"id"`
				Type string `json:"type"`
			} `json:"objects"`
		}
		if err := json.Unmarshal(buf.Bytes(), &b); err != nil {
			t.Fatal(err)
		}
		for _, o := range b.Objects {
			if !(o.Type == "note" && o.ID == b.Objects[len(b.Objects)-1].ID) {
				rest = append(rest, o.ID)
			}
		}
		return b.ID, rest
	}
	b1, r1 := ids(now)
	b2, r2 := ids(now.Add(time.Hour))
	if b1 == b2 {
		t.Error("two exports at different times share a bundle id")
	}
	if !slices.Equal(r1, r2) {
		t.Errorf("object ids differ between exports:\n%v\n%v", r1, r2)
	}
}

func TestUUID5(t *testing.T) {
	a, b := uuid5("report:p-1"), uuid5("report:p-1")
	if a != b || a == uuid5("report:p-2") {
		t.Fatal("uuid5 is not a function of its name")
	}
	if !reSTIXID.MatchString("report--"+a) || a[14] != '5' {
		t.Errorf("%s is not a version-5 UUID", a)
	}
}

// Generated postings whose bodies quote their sample rows: no format lets
// a row's name, id number, phone or e-mail through.
func TestGeneratedQuotedSamplesNeverLeave(t *testing.T) {
	ps := postings.Generate(200, 1)
	var fields []string
	for i := range ps {
		for _, s := range ps[i].Samples {
			ps[i].Body += "Sample:\n" + s.Text
			lines := strings.Split(strings.TrimSpace(s.Text), "\n")
			for _, l := range lines[1:] {
				fields = append(fields, strings.Split(l, ",")...)
			}
		}
	}
	if len(fields) < 100 {
		t.Fatalf("only %d sample fields generated", len(fields))
	}
	for _, f := range Formats {
		got, _ := export(t, f, ps, 0)
		for _, field := range fields {
			if bytes.Contains(got, []byte(field)) {
				t.Errorf("%s export contains the sample field %q", f, field)
			}
		}
	}
}
