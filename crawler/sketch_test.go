package crawler

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

const adText = "Selling PERKESO Socso database 3 juta rekod, nama no_kp alamat telefon majikan gaji. Harga 1500 USD, XMR only. Escrow ok. Contact session 05ab12 or tox. Sample below, full dump after payment."

func TestSketch(t *testing.T) {
	light := strings.Replace(strings.Replace(adText, "1500 USD", "1200 USD", 1), "Escrow ok.", "Escrow OK!", 1)
	other := "Free Klinik Sejahtera patient records 500k, nama pesakit diagnosis ubat tarikh lawatan. Link in hidden block below, reply to unlock, thanks admin for the vouch and the forum rules."
	a, b, c := sketch(adText), sketch(light), sketch(other)
	if r := resemblance(a, b); r < repostJaccard {
		t.Errorf("a light edit resembles the original %.2f, below %.2f", r, repostJaccard)
	}
	if r := resemblance(a, a); r != 1 {
		t.Errorf("a text resembles itself %.2f", r)
	}
	if r := resemblance(a, c); r > 0.2 {
		t.Errorf("an unrelated post resembles the ad %.2f", r)
	}
	if sketch("pm sent, thanks") != nil || nearDuplicate(nil, nil) {
		t.Error("a short reply got a sketch")
	}
}

// The seller reposts the ad lightly edited in another thread: one posting
// whose history keeps the first version and its URL; the seller's other
// ad, and another seller's copy, stay postings of their own.
func TestRepostLightlyEdited(t *testing.T) {
	s := startSOCKS(t, true)
	light := strings.Replace(adText, "1500 USD", "1200 USD", 1)
	threads := map[string]mybbPost{
		"1": {"10", "seller", adText},
		"2": {"20", "seller", light},
		"3": {"30", "seller", "Also selling Bank Rakyat Demo customer KYC 1.2M rows with IC scans, salary slips and account numbers. Auction starts 2 BTC, increments 0.1 BTC, ends Friday."},
		"4": {"40", "copycat", light},
	}
	sc, _ := onionSite(t, s, "reposts", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/list" {
			io.WriteString(w, mybbListing([]string{"/showthread.php?tid=1", "/showthread.php?tid=2", "/showthread.php?tid=3", "/showthread.php?tid=4"}, ""))
			return
		}
		p, ok := threads[r.URL.Query().Get("tid")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, mybbThreadPage([]mybbPost{p}, ""))
	}, "/list")
	sc.Parallelism = 1 // threads in listing order
	got, err := collect(t, baseOptions(t, s, sc))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("%d postings yielded, want 4 (the repost as a new version of the first)", len(got))
	}
	first, repost := got[0], got[1]
	if repost.ID != first.ID || repost.PostID != "20" || len(repost.Edits) != 1 || repost.Edits[0].URL != first.URL || repost.Edits[0].BodySHA256 != first.BodySHA256 {
		t.Errorf("repost: id %s (first %s), edits %+v; want the first's id with its version and URL in the history", repost.ID, first.ID, repost.Edits)
	}
	if got[2].ID == first.ID || got[3].ID == first.ID || len(got[2].Edits)+len(got[3].Edits) != 0 {
		t.Errorf("another ad or another author's copy was taken for the repost: %s %s", got[2].ID, got[3].ID)
	}
}
