package export

import (
	"bufio"
	"strconv"
	"strings"
	"time"

	"github.com/semak/semak/crawler/posting"
)

// stixEpoch stamps created/modified of the objects several postings
// share (the producer identity, victim identities, threat actors and the
// relationships between them). Their ids are deterministic, and STIX
// wants every copy of one object version to be identical, so they cannot
// carry the time of whichever export first wrote them.
var stixEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// The open-vocabulary values the STIX export uses (STIX 2.1 §10).
const (
	stixReportType      = "threat-report"   // report-type-ov
	stixVictimClass     = "organization"    // identity-class-ov
	stixProducerClass   = "system"          // identity-class-ov
	stixActorCriminal   = "criminal"        // threat-actor-type-ov: a seller on a forum or paste site
	stixActorSyndicate  = "crime-syndicate" // threat-actor-type-ov: a ransomware leak site's operators
	stixActorMotivation = "personal-gain"   // attack-motivation-ov
)

// stixOpinion maps a verdict to the opinion-enum about the report's claim
// "this is new data of the named victim": NEW agrees (strongly when the
// verification says "almost certainly"), OLD disagrees (the data is real
// but old), FAKE strongly disagrees, MIXED and INCONCLUSIVE are neutral.
func stixOpinion(verdict, confidence string) string {
	switch verdict {
	case "NEW":
		if confidence == "almost certainly" {
			return "strongly-agree"
		}
		return "agree"
	case "OLD":
		return "disagree"
	case "FAKE":
		return "strongly-disagree"
	}
	return "neutral"
}

type stixExtRef struct {
	SourceName  string            `json:"source_name"`
	Description string            `json:"description,omitempty"`
	URL         string            `json:"url,omitempty"`
	ExternalID  string            `json:"external_id,omitempty"`
	Hashes      map[string]string `json:"hashes,omitempty"`
}

// stixCommon holds the properties every STIX Domain and Relationship
// Object has.
type stixCommon struct {
	Type               string       `json:"type"`
	SpecVersion        string       `json:"spec_version"`
	ID                 string       `json:"id"`
	CreatedByRef       string       `json:"created_by_ref,omitempty"`
	Created            string       `json:"created"`
	Modified           string       `json:"modified"`
	Lang               string       `json:"lang,omitempty"`
	Labels             []string     `json:"labels,omitempty"`
	ExternalReferences []stixExtRef `json:"external_references,omitempty"`
}

func common(typ, id, by string, created, modified time.Time) stixCommon {
	return stixCommon{Type: typ, SpecVersion: "2.1", ID: id, CreatedByRef: by, Created: ts(created), Modified: ts(modified)}
}

type stixIdentity struct {
	stixCommon
	Name          string `json:"name"`
	Description   string `json:"description,omitempty"`
	IdentityClass string `json:"identity_class"`
}

type stixThreatActor struct {
	stixCommon
	Name              string   `json:"name"`
	Description       string   `json:"description,omitempty"`
	ThreatActorTypes  []string `json:"threat_actor_types"`
	PrimaryMotivation string   `json:"primary_motivation"`
}

type stixRelationship struct {
	stixCommon
	RelationshipType string `json:"relationship_type"`
	SourceRef        string `json:"source_ref"`
	TargetRef        string `json:"target_ref"`
}

type stixReport struct {
	stixCommon
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	ReportTypes []string `json:"report_types"`
	Published   string   `json:"published"`
	ObjectRefs  []string `json:"object_refs"`

	// Custom properties (STIX 2.1 §11.1: x_ prefix, lower case).
	PostingID      string   `json:"x_semak_posting_id"`
	Site           string   `json:"x_semak_site"`
	SiteType       string   `json:"x_semak_site_type,omitempty"`
	Author         string   `json:"x_semak_author,omitempty"`
	Victims        []string `json:"x_semak_victims,omitempty"`
	ClaimedRecords int64    `json:"x_semak_claimed_records,omitempty"`
	DataClasses    []string `json:"x_semak_data_classes,omitempty"`
	Offer          string   `json:"x_semak_offer,omitempty"`
	Price          float64  `json:"x_semak_price,omitempty"`
	Currency       string   `json:"x_semak_currency,omitempty"`
	Contacts       []string `json:"x_semak_seller_contacts,omitempty"`
	Verdict        string   `json:"x_semak_verdict,omitempty"`
}

type stixOpinionObj struct {
	stixCommon
	Explanation string   `json:"explanation,omitempty"`
	Authors     []string `json:"authors,omitempty"`
	Opinion     string   `json:"opinion"`
	ObjectRefs  []string `json:"object_refs"`
}

type stixNote struct {
	stixCommon
	Abstract   string   `json:"abstract,omitempty"`
	Content    string   `json:"content"`
	Authors    []string `json:"authors,omitempty"`
	ObjectRefs []string `json:"object_refs"`
}

// stixEncoder writes one bundle:
//
//	{"type":"bundle","id":"bundle--…","objects":[
//	{producer identity},
//	{object},
//	…
//	]}
//
// Per posting: an identity per victim and a threat-actor for the author
// (each once per bundle), a "targets" relationship from the actor to each
// victim, the report, and for a verdict an opinion and a note. At the end a
// note records the export (query, time, count, truncation) and refers to
// every report.
type stixEncoder struct {
	jsonArray
	opts     *Options
	producer string
	emitted  map[string]bool // ids written, bounded by the cap
	reports  []string
}

func newSTIXEncoder(w *bufio.Writer, opts *Options) *stixEncoder {
	return &stixEncoder{jsonArray: jsonArray{w: w}, opts: opts, emitted: map[string]bool{}}
}

func (e *stixEncoder) emit(id string, obj any) error {
	if e.emitted[id] {
		return nil
	}
	b, err := marshal(obj)
	if err != nil {
		return err
	}
	e.emitted[id] = true
	return e.elem(b)
}

func (e *stixEncoder) begin() error {
	bundle := "bundle--" + uuid5("bundle:"+e.opts.Producer+"\x00"+e.opts.Query+"\x00"+ts(e.opts.Now))
	if _, err := e.w.WriteString(`{"type":"bundle","id":"` + bundle + `","objects":[`); err != nil {
		return err
	}
	e.producer = "identity--" + uuid5("producer:"+normName(e.opts.Producer))
	return e.emit(e.producer, stixIdentity{
		stixCommon:    common("identity", e.producer, "", stixEpoch, stixEpoch),
		Name:          e.opts.Producer,
		Description:   "Dark-web breach-claim collection and verification (semak).",
		IdentityClass: stixProducerClass,
	})
}

func (e *stixEncoder) posting(p posting.Posting, a *Assessment) error {
	q := sanitize(p)
	created := firstSet(q.CrawledAt, q.PostedAt, e.opts.Now)
	modified := created
	for _, ed := range q.Edits {
		if ed.At.After(modified) {
			modified = ed.At.UTC()
		}
	}
	var refs []string

	var victims []string
	for _, v := range q.Victims {
		name := strings.TrimSpace(v)
		if name == "" {
			continue
		}
		id := "identity--" + uuid5("victim:"+normName(name))
		victims = append(victims, id)
		refs = append(refs, id)
		if err := e.emit(id, stixIdentity{
			stixCommon:    common("identity", id, e.producer, stixEpoch, stixEpoch),
			Name:          name,
			IdentityClass: stixVictimClass,
		}); err != nil {
			return err
		}
	}

	if author := strings.TrimSpace(q.Author); author != "" {
		// A handle is an actor on its site: the same handle elsewhere may
		// be someone else, so the key is site and handle.
		actor := "threat-actor--" + uuid5("actor:"+normName(q.Site)+"\x00"+normName(author))
		refs = append(refs, actor)
		typ := stixActorCriminal
		if q.SiteType == posting.LeakSite {
			typ = stixActorSyndicate
		}
		ta := stixThreatActor{
			stixCommon:        common("threat-actor", actor, e.producer, stixEpoch, stixEpoch),
			Name:              author,
			Description:       "Posting handle on " + q.Site + ".",
			ThreatActorTypes:  []string{typ},
			PrimaryMotivation: stixActorMotivation,
		}
		if q.AuthorURL != "" {
			ta.ExternalReferences = []stixExtRef{{SourceName: q.Site, URL: q.AuthorURL, Description: "profile"}}
		}
		if err := e.emit(actor, ta); err != nil {
			return err
		}
		for _, v := range victims {
			rel := "relationship--" + uuid5("targets:"+actor+"\x00"+v)
			refs = append(refs, rel)
			if err := e.emit(rel, stixRelationship{
				stixCommon:       common("relationship", rel, e.producer, stixEpoch, stixEpoch),
				RelationshipType: "targets",
				SourceRef:        actor,
				TargetRef:        v,
			}); err != nil {
				return err
			}
		}
	}
	if len(refs) == 0 {
		// object_refs must not be empty: a posting naming neither victim
		// nor author refers to its producer.
		refs = []string{e.producer}
	}

	reportID := "report--" + uuid5("report:"+q.ID)
	name := strings.TrimSpace(q.Title)
	if name == "" {
		name = clip(q.Body)
	}
	rep := stixReport{
		stixCommon:     common("report", reportID, e.producer, created, modified),
		Name:           name,
		Description:    q.Body,
		ReportTypes:    []string{stixReportType},
		Published:      ts(firstSet(q.PostedAt, created)),
		ObjectRefs:     refs,
		PostingID:      q.ID,
		Site:           q.Site,
		SiteType:       string(q.SiteType),
		Author:         q.Author,
		Victims:        q.Victims,
		ClaimedRecords: q.ClaimedRecords,
		DataClasses:    q.DataClasses,
		Offer:          string(q.Offer),
		Price:          q.Price,
		Currency:       q.Currency,
		Contacts:       q.Contacts,
	}
	rep.Lang = q.Language
	rep.Labels = []string{"leak-posting"}
	if q.Offer != "" {
		rep.Labels = append(rep.Labels, "offer-"+string(q.Offer))
	}
	if q.URL != "" {
		rep.ExternalReferences = append(rep.ExternalReferences, stixExtRef{SourceName: q.Site, URL: q.URL, ExternalID: q.ID})
	} else {
		rep.ExternalReferences = append(rep.ExternalReferences, stixExtRef{SourceName: q.Site, ExternalID: q.ID})
	}
	for _, l := range q.DownloadLinks {
		rep.ExternalReferences = append(rep.ExternalReferences, stixExtRef{SourceName: "download-link", URL: l})
	}
	for _, f := range q.SampleFiles {
		r := stixExtRef{SourceName: "sample-file", URL: f.URL, Description: f.Name}
		if f.SHA256 != "" {
			r.Hashes = map[string]string{"SHA-256": f.SHA256}
		}
		rep.ExternalReferences = append(rep.ExternalReferences, r)
	}
	if q.Verdict != nil {
		rep.Verdict = q.Verdict.Verdict
	}
	if err := e.emit(reportID, rep); err != nil {
		return err
	}
	e.reports = append(e.reports, reportID)

	if v := q.Verdict; v != nil {
		conf := ""
		if a != nil {
			conf = a.Confidence
		}
		at := firstSet(v.CheckedAt, modified)
		key := q.ID + "\x00" + v.Verdict + "\x00" + ts(at)
		opID := "opinion--" + uuid5("opinion:"+key)
		expl := "semak verdict " + v.Verdict
		if conf != "" {
			expl += " (" + conf + ")"
		}
		if v.Basis != "" {
			expl += ": " + v.Basis
		}
		if err := e.emit(opID, stixOpinionObj{
			stixCommon:  common("opinion", opID, e.producer, at, at),
			Explanation: expl,
			Authors:     []string{e.opts.Producer},
			Opinion:     stixOpinion(v.Verdict, conf),
			ObjectRefs:  []string{reportID},
		}); err != nil {
			return err
		}
		noteID := "note--" + uuid5("verdict-note:"+key)
		if err := e.emit(noteID, stixNote{
			stixCommon: common("note", noteID, e.producer, at, at),
			Abstract:   "Verdict: " + v.Verdict,
			Content:    verdictMeaning(v.Verdict) + " " + expl + ".",
			Authors:    []string{e.opts.Producer},
			ObjectRefs: []string{reportID},
		}); err != nil {
			return err
		}
	}
	return nil
}

// verdictMeaning is the plain meaning of each verdict state.
func verdictMeaning(v string) string {
	switch v {
	case "NEW":
		return "The sample matches the organisation's current data and no earlier leak: a new breach."
	case "OLD":
		return "The sample matches the organisation's data as of an earlier date or an earlier leak: a repost of old data."
	case "FAKE":
		return "The sample does not match the organisation's data or is fabricated."
	case "MIXED":
		return "Part of the sample matches the organisation's data and part does not."
	case "INCONCLUSIVE":
		return "The sample is too small or too ambiguous to judge."
	}
	return ""
}

func (e *stixEncoder) end(count int, truncated bool) error {
	content := "semak export of " + strconv.Itoa(count) + " postings generated " + ts(e.opts.Now) + " for the query " + strconv.Quote(e.opts.Query) + "."
	if truncated {
		content += " Truncated at the cap of " + strconv.Itoa(e.opts.Cap) + " postings."
	}
	content += " Bodies are redacted excerpts; inline sample rows are never exported."
	refs := e.reports
	if len(refs) == 0 {
		refs = []string{e.producer}
	}
	id := "note--" + uuid5("export:"+e.opts.Producer+"\x00"+e.opts.Query+"\x00"+ts(e.opts.Now))
	if err := e.emit(id, stixNote{
		stixCommon: common("note", id, e.producer, e.opts.Now, e.opts.Now),
		Abstract:   "semak export",
		Content:    content,
		Authors:    []string{e.opts.Producer},
		ObjectRefs: refs,
	}); err != nil {
		return err
	}
	_, err := e.w.WriteString("\n]}\n")
	return err
}
