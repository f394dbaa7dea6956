package detect

import "testing"

func TestFabricatedRule(t *testing.T) {
	for _, c := range []struct {
		name      string
		results   []Result
		dominated bool
		share     float64
		reasons   int
	}{
		{"nothing", []Result{{Detector: NameStructure}, {Detector: NameFakerMyKad}}, false, 0, 0},
		{"faker_flagged", []Result{{Detector: NameFakerMyKad, Flagged: true, Share: 0.97, Note: "x"}}, true, 0.97, 1},
		{"structure_minority", []Result{{Detector: NameStructure, Flagged: true, Share: 0.3, Note: "x"}}, false, 0.3, 1},
		{"structure_majority", []Result{{Detector: NameStructure, Flagged: true, Share: 0.5, Note: "x"}}, true, 0.5, 1},
		{"supporting_only", []Result{{Detector: NameTooClean, Flagged: true, Share: 1, Note: "x"}, {Detector: NameAggregation, Flagged: true, Share: 0.5, Note: "y"}}, false, 0, 2},
		{"unflagged_share_ignored", []Result{{Detector: NameFakerMyKad, Share: 0.9}}, false, 0, 0},
		{"decisive_with_support", []Result{{Detector: NameTooClean, Flagged: true, Share: 1, Note: "t"}, {Detector: NameFakerMyKad, Flagged: true, Share: 0.8, Note: "f"}}, true, 0.8, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			dom, share, reasons := Fabricated(c.results)
			if dom != c.dominated || share != c.share || len(reasons) != c.reasons {
				t.Errorf("got %v %v %q", dom, share, reasons)
			}
			if c.name == "decisive_with_support" && reasons[0] != "faker_mykad: f" {
				t.Errorf("decisive reason not first: %q", reasons)
			}
		})
	}
}

func TestAllAndRun(t *testing.T) {
	ds := All()
	want := []string{NameStructure, NameFakerMyKad, NameTooClean, NameAggregation}
	rs := Run(nil, info)
	for i, d := range ds {
		if d.Name() != want[i] || rs[i].Detector != want[i] {
			t.Errorf("detector %d: %s / %s, want %s", i, d.Name(), rs[i].Detector, want[i])
		}
		if d.MinN() <= 0 || rs[i].MinN != d.MinN() || rs[i].Flagged {
			t.Errorf("%s on no records: %+v", d.Name(), rs[i])
		}
	}
}
