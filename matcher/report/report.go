// Package report writes a verification's evidence pack: what a DPO hands to
// a regulator, in Markdown or HTML. It holds the verdict's numbers, the
// statements in both languages, the regulatory clocks the breach claim may
// start (as facts to check, not legal advice), and masked previews only:
// nothing in a report is a plaintext value of a record.
package report

import (
	"fmt"
	htmltemplate "html/template"
	"io"
	"path/filepath"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/semak/semak/matcher/stats"
	"github.com/semak/semak/matcher/verdict"
)

// Pack is everything a report shows.
type Pack struct {
	Verdict   verdict.Verdict
	File      string // the sample's file name (not its contents)
	Size      int64
	CheckedAt time.Time
	// Preview is masked rows (field → masked value) from the intake.
	Preview []map[string]string
	// Detectors are the fabrication detectors' results, as rows.
	Detectors []Detector
}

// Detector is one detector's line in the report.
type Detector struct {
	Name, Statistic, Note string
	Flagged               bool
	Share                 float64
	N, MinN               int
}

// Clock is a notification deadline a breach claim may start.
type Clock struct {
	Jurisdiction, Law, Deadline, Whom string
}

// Clocks are the regulatory clocks listed in every report. They are facts
// to check against the law in force, not legal advice.
var Clocks = []Clock{
	{"Malaysia", "Personal Data Protection Act 2010 (as amended 2024), s.12B", "as soon as practicable, within 72 hours of becoming aware", "the Personal Data Protection Commissioner; affected data subjects without unnecessary delay where significant harm is likely"},
	{"Indonesia", "UU No. 27/2022 tentang Pelindungan Data Pribadi, Pasal 46", "within 3 × 24 hours", "the data subjects and the supervising institution, in writing"},
	{"European Union", "GDPR Art. 33 (and Art. 34)", "without undue delay, where feasible within 72 hours of becoming aware", "the supervisory authority; data subjects when the risk is high"},
}

// Format picks the format by the file name: .html/.htm or .md.
func Format(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".html", ".htm":
		return "html", nil
	case ".md", ".markdown":
		return "md", nil
	}
	return "", fmt.Errorf("--report %s: name the file .html or .md", path)
}

// Write renders p as format ("html" or "md") to w.
func Write(w io.Writer, format string, p Pack) error {
	data := view(p)
	switch format {
	case "html":
		return htmlTmpl.Execute(w, data)
	case "md":
		return mdTmpl.Execute(w, data)
	}
	return fmt.Errorf("report: unknown format %q", format)
}

type viewData struct {
	Pack
	V          verdict.Verdict
	Duplicates int64
	Basis      string
	Clocks     []Clock
	Fields     []string // the per-snapshot field columns
	Thresholds verdict.Thresholds
	Generated  string
}

func view(p Pack) viewData {
	v := p.Verdict
	d := viewData{Pack: p, V: v, Duplicates: v.Sample.Usable - v.Sample.Unique, Clocks: Clocks, Thresholds: v.Thresholds,
		Generated: p.CheckedAt.UTC().Format(time.RFC3339)}
	var b []string
	for _, x := range v.Basis {
		b = append(b, string(x))
	}
	d.Basis = strings.Join(b, ", ")
	seen := map[string]bool{}
	for _, s := range v.PerSnapshot {
		for f := range s.Fields {
			if !seen[f] {
				seen[f] = true
				d.Fields = append(d.Fields, f)
			}
		}
	}
	slices.Sort(d.Fields)
	return d
}

var funcs = map[string]any{
	"pct": func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) },
	"rate": func(r stats.Rate) string {
		return fmt.Sprintf("%d/%d = %.1f%% [%.1f–%.1f%%]", r.K, r.N, 100*r.P, 100*r.Low, 100*r.High)
	},
	"field": func(s verdict.SnapshotRate, f string) string {
		r, ok := s.Fields[f]
		if !ok {
			return "–"
		}
		return fmt.Sprintf("%.0f%% [%.0f–%.0f]", 100*r.P, 100*r.Low, 100*r.High)
	},
	"join": strings.Join,
	"keys": func(m map[string]string) []string {
		var k []string
		for x := range m {
			k = append(k, x)
		}
		slices.Sort(k)
		return k
	},
	"credibility": func(c string) string {
		return map[string]string{"1": "confirmed by other sources", "2": "probably true", "3": "possibly true", "4": "doubtful", "5": "improbable", "6": "truth cannot be judged"}[c]
	},
}

var mdTmpl = texttemplate.Must(texttemplate.New("md").Funcs(funcs).Parse(`# semak evidence pack — {{.V.Verdict}}{{if .V.GenuineVerdict}} (genuine part: {{.V.GenuineVerdict}}){{end}}

Generated {{.Generated}}. Every value below is a count, a rate or a masked preview: no record of the sample or of any database is in this document.

## Verdict

| | |
|---|---|
| verdict | **{{.V.Verdict}}**{{if .V.GenuineVerdict}} (genuine part {{.V.GenuineVerdict}}){{end}} |
| confidence | {{.V.Statement.Confidence}} |
| basis | {{.Basis}} |
| admiralty scale | source reliability {{.V.Admiralty.SourceReliability}} (cannot be judged unless known), information credibility {{.V.Admiralty.InformationCredibility}} ({{credibility .V.Admiralty.InformationCredibility}}) |
{{- if .V.Settle}}
| what would settle it | {{.V.Settle}} |
{{- end}}

### Statement (English)

{{.V.Statement.EN}}

### Kenyataan (Bahasa Melayu)

{{.V.Statement.MS}}

### Why

{{range .V.Reasons}}- {{.}}
{{end}}
## The claim and the sample

| | |
|---|---|
| claimed organisation | {{.V.Claim.Name}} ({{.V.Claim.Org}}) |
| claimed records | {{if .V.Claim.ClaimedCount}}{{.V.Claim.ClaimedCount}}{{else}}not stated{{end}} |
| organisation's population | {{if .V.Claim.Population}}{{.V.Claim.Population}}{{else}}unknown{{end}} |
| sample file | {{.File}} ({{.Size}} bytes) |
| sample SHA-256 | ` + "`{{.V.Sample.SHA256}}`" + ` |
| rows / usable / unique | {{.V.Sample.Rows}} / {{.V.Sample.Usable}} / {{.V.Sample.Unique}} ({{.Duplicates}} duplicates) |
| flags | {{if .V.Flags}}{{join .V.Flags ", "}}{{else}}none{{end}} |
| checked at | {{.Generated}} |

## Match against the claimed organisation

Best snapshot: {{rate .V.Match}} attributable (anchor and a field only the organisation holds agree). Intervals are 95% Wilson; a zero is bounded by the rule of three.

| source | snapshot | attributable | anchor found |{{range .Fields}} {{.}} |{{end}}
|---|---|---|---|{{range .Fields}}---|{{end}}
{{range $s := .V.PerSnapshot}}| {{$s.Source}} | {{$s.Snapshot}} | {{rate $s.Rate}} | {{rate $s.Anchor}} |{{range $.Fields}} {{field $s .}} |{{end}}
{{end}}
{{- if .V.Dating}}
## Dating

Best fit {{.V.Dating.Snapshot}}, runner-up {{.V.Dating.RunnerUp}}, log10 likelihood ratio {{printf "%.1f" .V.Dating.Log10LR}}; against the latest ({{.V.Dating.Latest}}) {{printf "%.1f" .V.Dating.Log10LRLatest}}, over {{.V.Dating.Records}} discriminating records, field error rate {{.V.Dating.FieldError}}.
{{end}}
## Other registered sources

{{if .V.OtherSources}}| source | attributable |
|---|---|
{{range .V.OtherSources}}| {{.Source}} | {{rate .Rate}} |
{{end}}{{else}}None registered.
{{end}}
## Known earlier leaks

{{if .V.KnownLeaks}}| posting | date | title | overlap |
|---|---|---|---|
{{range .V.KnownLeaks}}| {{.Posting}} | {{.Date}} | {{.Title}} | {{.Matched}}/{{.N}} = {{pct .Overlap}} [{{pct .Low}}–{{pct .High}}] |
{{end}}{{else}}No overlap with any registered earlier leak.
{{end}}
## Canary records

{{if .V.Canaries}}| partner | extract of | canaries found |
|---|---|---|
{{range .V.Canaries}}| {{.Partner}} | {{.AsOf}} | {{.Hits}} |
{{end}}{{else}}No canary record found.
{{end}}
## Fabrication detectors

{{if .Detectors}}| detector | flagged | statistic | share | n (min) | note |
|---|---|---|---|---|---|
{{range .Detectors}}| {{.Name}} | {{.Flagged}} | {{.Statistic}} | {{pct .Share}} | {{.N}} ({{.MinN}}) | {{.Note}} |
{{end}}{{else}}Not run.
{{end}}
## Regulatory clocks (facts to check, not legal advice)

| jurisdiction | law | deadline | to whom |
|---|---|---|---|
{{range .Clocks}}| {{.Jurisdiction}} | {{.Law}} | {{.Deadline}} | {{.Whom}} |
{{end}}
## Masked preview

{{range $row := .Preview}}- {{range $k := keys $row}}{{$k}}={{index $row $k}} {{end}}
{{end}}
## Thresholds used

min usable {{.Thresholds.MinUsable}}, field error rate {{.Thresholds.FieldErrorRate}}, name Dice {{.Thresholds.NameDice}}, OLD at log10 LR ≥ {{.Thresholds.OldLog10LR}}, known leak at overlap lower bound ≥ {{.Thresholds.KnownLeakShare}}, none below {{.Thresholds.NoneBelow}}, all above {{.Thresholds.AllAbove}}.
`))

var htmlTmpl = htmltemplate.Must(htmltemplate.New("html").Funcs(funcs).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>semak evidence pack — {{.V.Verdict}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#111}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
.badge{display:inline-block;padding:.2rem .6rem;border-radius:.3rem;color:#fff;font-weight:700}
.NEW{background:#b00020}.OLD{background:#b26a00}.FAKE{background:#2e7d32}.MIXED{background:#6a1b9a}.INCONCLUSIVE{background:#555}
code{font-size:.9em}
</style></head><body>
<h1>semak evidence pack <span class="badge {{.V.Verdict}}">{{.V.Verdict}}</span>{{if .V.GenuineVerdict}} genuine part: {{.V.GenuineVerdict}}{{end}}</h1>
<p>Generated {{.Generated}}. Every value below is a count, a rate or a masked preview: no record of the sample or of any database is in this document.</p>
<h2>Verdict</h2>
<table>
<tr><th>confidence</th><td>{{.V.Statement.Confidence}}</td></tr>
<tr><th>basis</th><td>{{.Basis}}</td></tr>
<tr><th>admiralty scale</th><td>source reliability {{.V.Admiralty.SourceReliability}}, information credibility {{.V.Admiralty.InformationCredibility}} ({{credibility .V.Admiralty.InformationCredibility}})</td></tr>
{{if .V.Settle}}<tr><th>what would settle it</th><td>{{.V.Settle}}</td></tr>{{end}}
</table>
<h3>Statement (English)</h3><p>{{.V.Statement.EN}}</p>
<h3 lang="ms">Kenyataan (Bahasa Melayu)</h3><p lang="ms">{{.V.Statement.MS}}</p>
<h3>Why</h3><ul>{{range .V.Reasons}}<li>{{.}}</li>{{end}}</ul>
<h2>The claim and the sample</h2>
<table>
<tr><th>claimed organisation</th><td>{{.V.Claim.Name}} ({{.V.Claim.Org}})</td></tr>
<tr><th>claimed records</th><td>{{if .V.Claim.ClaimedCount}}{{.V.Claim.ClaimedCount}}{{else}}not stated{{end}}</td></tr>
<tr><th>organisation's population</th><td>{{if .V.Claim.Population}}{{.V.Claim.Population}}{{else}}unknown{{end}}</td></tr>
<tr><th>sample file</th><td>{{.File}} ({{.Size}} bytes)</td></tr>
<tr><th>sample SHA-256</th><td><code>{{.V.Sample.SHA256}}</code></td></tr>
<tr><th>rows / usable / unique</th><td>{{.V.Sample.Rows}} / {{.V.Sample.Usable}} / {{.V.Sample.Unique}} ({{.Duplicates}} duplicates)</td></tr>
<tr><th>flags</th><td>{{if .V.Flags}}{{join .V.Flags ", "}}{{else}}none{{end}}</td></tr>
</table>
<h2>Match against the claimed organisation</h2>
<p>Best snapshot: {{rate .V.Match}} attributable. Intervals are 95% Wilson; a zero is bounded by the rule of three.</p>
<table><tr><th>source</th><th>snapshot</th><th>attributable</th><th>anchor found</th>{{range .Fields}}<th>{{.}}</th>{{end}}</tr>
{{range $s := .V.PerSnapshot}}<tr><td>{{$s.Source}}</td><td>{{$s.Snapshot}}</td><td>{{rate $s.Rate}}</td><td>{{rate $s.Anchor}}</td>{{range $.Fields}}<td>{{field $s .}}</td>{{end}}</tr>
{{end}}</table>
{{if .V.Dating}}<h2>Dating</h2><p>Best fit {{.V.Dating.Snapshot}}, runner-up {{.V.Dating.RunnerUp}}, log10 likelihood ratio {{printf "%.1f" .V.Dating.Log10LR}}; against the latest ({{.V.Dating.Latest}}) {{printf "%.1f" .V.Dating.Log10LRLatest}}, over {{.V.Dating.Records}} discriminating records, field error rate {{.V.Dating.FieldError}}.</p>{{end}}
<h2>Other registered sources</h2>
{{if .V.OtherSources}}<table><tr><th>source</th><th>attributable</th></tr>{{range .V.OtherSources}}<tr><td>{{.Source}}</td><td>{{rate .Rate}}</td></tr>{{end}}</table>{{else}}<p>None registered.</p>{{end}}
<h2>Known earlier leaks</h2>
{{if .V.KnownLeaks}}<table><tr><th>posting</th><th>date</th><th>title</th><th>overlap</th></tr>{{range .V.KnownLeaks}}<tr><td>{{.Posting}}</td><td>{{.Date}}</td><td>{{.Title}}</td><td>{{.Matched}}/{{.N}} = {{pct .Overlap}} [{{pct .Low}}–{{pct .High}}]</td></tr>{{end}}</table>{{else}}<p>No overlap with any registered earlier leak.</p>{{end}}
<h2>Canary records</h2>
{{if .V.Canaries}}<table><tr><th>partner</th><th>extract of</th><th>canaries found</th></tr>{{range .V.Canaries}}<tr><td>{{.Partner}}</td><td>{{.AsOf}}</td><td>{{.Hits}}</td></tr>{{end}}</table>{{else}}<p>No canary record found.</p>{{end}}
<h2>Fabrication detectors</h2>
{{if .Detectors}}<table><tr><th>detector</th><th>flagged</th><th>statistic</th><th>share</th><th>n (min)</th><th>note</th></tr>{{range .Detectors}}<tr><td>{{.Name}}</td><td>{{.Flagged}}</td><td>{{.Statistic}}</td><td>{{pct .Share}}</td><td>{{.N}} ({{.MinN}})</td><td>{{.Note}}</td></tr>{{end}}</table>{{else}}<p>Not run.</p>{{end}}
<h2>Regulatory clocks (facts to check, not legal advice)</h2>
<table><tr><th>jurisdiction</th><th>law</th><th>deadline</th><th>to whom</th></tr>{{range .Clocks}}<tr><td>{{.Jurisdiction}}</td><td>{{.Law}}</td><td>{{.Deadline}}</td><td>{{.Whom}}</td></tr>{{end}}</table>
<h2>Masked preview</h2>
<ul>{{range $row := .Preview}}<li><code>{{range $k := keys $row}}{{$k}}={{index $row $k}} {{end}}</code></li>{{end}}</ul>
<h2>Thresholds used</h2>
<p>min usable {{.Thresholds.MinUsable}}, field error rate {{.Thresholds.FieldErrorRate}}, name Dice {{.Thresholds.NameDice}}, OLD at log10 LR ≥ {{.Thresholds.OldLog10LR}}, known leak at overlap lower bound ≥ {{.Thresholds.KnownLeakShare}}, none below {{.Thresholds.NoneBelow}}, all above {{.Thresholds.AllAbove}}.</p>
</body></html>
`))
