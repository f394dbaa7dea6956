package matcher

import (
	"fmt"
	"slices"
	"strings"

	"github.com/semak/semak/matcher/verdict"
)

// Confidence words, tied to numbers (the table is in ARCHITECTURE.md):
//
//	almost certainly  the verdict's 95% bound ≥ 0.9 and two independent signals agree
//	very likely       the bound ≥ 0.75
//	likely            the bound ≥ 0.5
//	cannot say        anything less, and every INCONCLUSIVE
//
// The bound is the lower 95% bound of the rate that carries the verdict:
// records attributable to the organisation (NEW, OLD), to another source
// (FAKE other_source), or not attributable (FAKE no_match: 1 − the upper
// bound). For MIXED it is 1 − max(0.05/low, 0.05/(1 − high)): 0 when the
// interval touches a threshold, 0.9 when it is ten times further inside.
func confidence(k verdict.Kind, bound float64, signals int) string {
	switch {
	case k == verdict.Inconclusive:
		return "cannot say"
	case bound >= 0.9 && signals >= 2:
		return "almost certainly"
	case bound >= 0.75:
		return "very likely"
	case bound >= 0.5:
		return "likely"
	}
	return "cannot say"
}

var confidenceMS = map[string]string{
	"almost certainly": "hampir pasti",
	"very likely":      "sangat mungkin",
	"likely":           "mungkin",
	"cannot say":       "belum dapat dipastikan",
}

// statement writes the plain-language answer. It never denies absolutely
// ("no data was leaked"): a sample that is not the organisation's data
// shows only that this sample is not it.
func statement(v *verdict.Verdict, conf string) verdict.Statement {
	org := v.Claim.Org
	if v.Claim.Name != "" {
		org = fmt.Sprintf("%s (%s)", v.Claim.Name, v.Claim.Org)
	}
	n := v.Sample.Unique
	m := v.Match
	var en, ms []string
	en = append(en, fmt.Sprintf("A sample of %d distinct records was posted with the claim that it comes from %s.", n, org))
	ms = append(ms, fmt.Sprintf("Satu sampel %d rekod berbeza telah disiarkan dengan dakwaan bahawa ia datang daripada %s.", n, org))
	en = append(en, "semak compared it with keyed fingerprints of the organisation's registered databases and of other registered sources; no plaintext was compared or stored.")
	ms = append(ms, "semak membandingkannya dengan cap jari berkunci pangkalan data organisasi yang berdaftar dan sumber berdaftar lain; tiada teks asal dibandingkan atau disimpan.")
	confMS := confidenceMS[conf]
	switch {
	case slices.Contains(v.Basis, verdict.Canary):
		for _, c := range v.Canaries {
			en = append(en, fmt.Sprintf("The sample %s contains %d canary records that %s planted only in the extract it sent to %s on %s: the data leaked through that partner's extract, not through %s's own systems.", conf, c.Hits, v.Claim.Org, c.Partner, c.AsOf, v.Claim.Org))
			ms = append(ms, fmt.Sprintf("Sampel ini %s mengandungi %d rekod kenari yang %s tanam hanya dalam ekstrak yang dihantar kepada %s pada %s: data ini terdedah melalui ekstrak rakan kongsi tersebut, bukan melalui sistem %s sendiri.", confMS, c.Hits, v.Claim.Org, c.Partner, c.AsOf, v.Claim.Org))
		}
	case v.Verdict == verdict.New || v.Verdict == verdict.Old:
		en = append(en, fmt.Sprintf("The records are %s genuine data of %s: %d of %d (95%% interval %.0f–%.0f%%) agree on fields only it holds.", conf, v.Claim.Org, m.K, n-v.Newer, 100*m.Low, 100*m.High))
		ms = append(ms, fmt.Sprintf("Rekod ini %s data sebenar %s: %d daripada %d (selang 95%% %.0f–%.0f%%) sepadan pada medan yang hanya dipegangnya.", confMS, v.Claim.Org, m.K, n-v.Newer, 100*m.Low, 100*m.High))
		if cite := knownLeakCite(v); cite != nil {
			en = append(en, fmt.Sprintf("They are old: they were already posted in an earlier leak (posting %s of %s), reposted now as new.", cite.Posting, cite.Date))
			ms = append(ms, fmt.Sprintf("Data ini lama: ia telah pun disiarkan dalam kebocoran terdahulu (siaran %s bertarikh %s) dan kini disiarkan semula seolah-olah baharu.", cite.Posting, cite.Date))
		} else if v.Verdict == verdict.Old && v.Dating != nil {
			en = append(en, fmt.Sprintf("They are old: they match the database as it was on %s better than its latest state (%s).", v.Dating.Snapshot, v.Dating.Latest))
			ms = append(ms, fmt.Sprintf("Data ini lama: ia lebih sepadan dengan pangkalan data pada %s berbanding keadaan terkininya (%s).", v.Dating.Snapshot, v.Dating.Latest))
		} else {
			en = append(en, "They are consistent with its latest records.")
			ms = append(ms, "Data ini selaras dengan rekod terkininya.")
		}
	case v.Verdict == verdict.Fake:
		en = append(en, fmt.Sprintf("The records are %s not %s's data.", conf, v.Claim.Org))
		ms = append(ms, fmt.Sprintf("Rekod ini %s bukan data %s.", confMS, v.Claim.Org))
		for _, b := range v.Basis {
			switch b {
			case verdict.OtherSource:
				en = append(en, "They match another registered organisation's records on fields only that organisation holds.")
				ms = append(ms, "Rekod ini sepadan dengan rekod organisasi berdaftar lain pada medan yang hanya dipegang organisasi tersebut.")
			case verdict.NoMatch:
				en = append(en, fmt.Sprintf("At most %.1f%% of them (95%% bound) could be its records.", 100*v.Match.High))
				ms = append(ms, fmt.Sprintf("Paling banyak %.1f%% daripadanya (had 95%%) mungkin rekodnya.", 100*v.Match.High))
			}
		}
		en = append(en, "This shows that this sample is not the organisation's data; it does not by itself show that no data of the organisation has ever left it.")
		ms = append(ms, "Ini menunjukkan sampel ini bukan data organisasi tersebut; ia tidak dengan sendirinya menunjukkan bahawa tiada data organisasi itu pernah terdedah.")
	case v.Verdict == verdict.Mixed:
		en = append(en, fmt.Sprintf("The sample is %s mixed: %d of %d records are genuine %s data (%s), padded with records that match nothing.", conf, m.K, n-v.Newer, v.Claim.Org, v.GenuineVerdict))
		ms = append(ms, fmt.Sprintf("Sampel ini %s bercampur: %d daripada %d rekod ialah data sebenar %s (%s), ditambah dengan rekod yang tidak sepadan dengan apa-apa.", confMS, m.K, n-v.Newer, v.Claim.Org, v.GenuineVerdict))
	case v.Verdict == verdict.Inconclusive:
		en = append(en, "semak cannot yet say whether these are the organisation's records: "+strings.Join(v.Reasons, "; ")+".")
		ms = append(ms, "semak belum dapat memastikan sama ada rekod ini milik organisasi tersebut.")
		if v.Settle != "" {
			en = append(en, "What would settle it: "+v.Settle+".")
			ms = append(ms, "Perkara yang boleh memastikannya: "+v.SettleMS+".")
		}
	}
	if v.Newer > 0 && v.Verdict != verdict.Inconclusive {
		en = append(en, fmt.Sprintf("%d records are newer than the latest snapshot and were set aside; a fresh snapshot would settle them.", v.Newer))
		ms = append(ms, fmt.Sprintf("%d rekod lebih baharu daripada petikan terkini dan diketepikan; petikan baharu boleh memastikannya.", v.Newer))
	}
	if v.Verdict == verdict.New || v.Verdict == verdict.Old || v.Verdict == verdict.Mixed {
		en = append(en, "What remains unknown: how and when the data left the organisation. Advice to the public: be wary of calls, messages and emails that quote your personal details, and never share one-time passwords.")
		ms = append(ms, "Perkara yang belum diketahui: bagaimana dan bila data itu terdedah. Nasihat kepada orang ramai: berwaspada dengan panggilan, mesej dan e-mel yang menyebut butiran peribadi anda, dan jangan sekali-kali berkongsi kata laluan sekali guna (OTP).")
	}
	return verdict.Statement{EN: strings.Join(en, " "), MS: strings.Join(ms, " "), Confidence: conf}
}

func knownLeakCite(v *verdict.Verdict) *verdict.Citation {
	for i := range v.Cites {
		if v.Cites[i].Kind == "known_leak" {
			return &v.Cites[i]
		}
	}
	return nil
}
