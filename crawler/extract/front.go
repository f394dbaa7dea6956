package extract

import (
	"strconv"
	"strings"
	"time"
)

// Kind is what a fetched page turned out to be.
type Kind int

// The kinds of page the crawler tells apart.
const (
	KindOther   Kind = iota
	KindListing      // lists threads
	KindThread       // a thread (or paste)
	KindQueue        // a DDoS-front queue page: wait, then reload
	KindCaptcha      // a DDoS-front CAPTCHA: needs a human
)

func (k Kind) String() string {
	return [...]string{"other", "listing", "thread", "queue", "captcha"}[k]
}

// Front is what Classify found.
type Front struct {
	Kind Kind
	// Refresh is the meta refresh of the page, if any (the crawler adds
	// the Refresh header, which a Page does not carry).
	RefreshAfter time.Duration
	RefreshURL   string
	HasRefresh   bool
}

// Classify tells a queue page, a CAPTCHA, a thread and a listing apart.
// A queue page is one that asks to wait (a queue marker) and reloads
// itself (meta refresh here; the crawler also checks the Refresh header).
func Classify(s Site, p Page) Front {
	doc, _, err := parse(p)
	if err != nil {
		return Front{}
	}
	var f Front
	if c, ok := doc.Find(`meta[http-equiv]`).Filter(`[http-equiv="refresh"], [http-equiv="Refresh"], [http-equiv="REFRESH"]`).First().Attr("content"); ok {
		f.RefreshAfter, f.RefreshURL, f.HasRefresh = ParseRefresh(c)
	}
	fr := s.Profile.Front
	switch {
	case s.Profile.Thread.Post != "" && doc.Find(s.Profile.Thread.Post).Length() > 0:
		f.Kind = KindThread
		return f
	case s.Profile.Listing.Threads != "" && doc.Find(s.Profile.Listing.Threads).Length() > 0:
		f.Kind = KindListing
		return f
	}
	// Only a page that is neither needs its text read (most pages are).
	text := strings.ToLower(doc.Text())
	switch {
	case fr.Captcha != "" && doc.Find(fr.Captcha).Length() > 0, containsAny(text, fr.CaptchaMarkers):
		f.Kind = KindCaptcha
	case containsAny(text, fr.QueueMarkers):
		f.Kind = KindQueue
	}
	return f
}

// IsQueueText says whether text carries one of the profile's queue
// markers (for pages whose only refresh is in the HTTP header).
func IsQueueText(s Site, p Page) bool {
	return containsAny(strings.ToLower(Decode(p.Body, p.ContentType)), s.Profile.Front.QueueMarkers)
}

// ParseRefresh reads a Refresh header or meta refresh value:
// "5", "5; url=/next", "5;URL='/next'".
func ParseRefresh(v string) (after time.Duration, target string, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, "", false
	}
	num, rest, _ := strings.Cut(v, ";")
	if i := strings.IndexByte(num, ','); i >= 0 {
		num, rest = num[:i], num[i+1:]+rest
	}
	secs, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || secs < 0 || secs > 86400 {
		return 0, "", false
	}
	rest = strings.TrimSpace(rest)
	if len(rest) >= 4 && strings.EqualFold(rest[:4], "url=") {
		target = strings.Trim(strings.TrimSpace(rest[4:]), `'"`)
	}
	return time.Duration(secs * float64(time.Second)), target, true
}
