package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/semak/semak/crawler/posting"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/transform"
)

// Page is one fetched page as captured: the raw body, before any charset
// conversion.
type Page struct {
	URL         string
	Body        []byte
	ContentType string
	FetchedAt   time.Time
}

// Site is what extraction needs to know of the site a page came from.
type Site struct {
	Name     string
	BaseURL  string
	Type     posting.SiteType
	Profile  Profile
	Location *time.Location // the forum's time zone, for dates without one
}

// ErrNotThread is returned by ThreadDetail for a page that has no post.
var ErrNotThread = errors.New("not a thread page (no element matches thread.post)")

// ThreadPage is everything ThreadDetail reads from one thread page.
type ThreadPage struct {
	Posting posting.Posting
	Next    string // the thread's next page, "" on the last
	Replies int    // posts after the first on this page
	Locked  bool
	// Later says the page is a thread's second or later page (the
	// profile's thread.later_page): then Posting is only the page's first
	// post, not the thread's, and every post on the page is a reply.
	Later bool
	// Posts are the replies on this page, in page order.
	Posts []Post
}

// Post is a reply in a thread: who wrote it and the sample blocks it
// quotes (a seller often posts a fresh sample further down the thread).
type Post struct {
	ID      string
	Author  string
	Samples []posting.Sample
}

// Merge adds a later page of the same thread: its replies are counted,
// and the sample blocks the posting's own author quoted in replies become
// samples of the posting (named after the reply), once each. Data
// classes are read again with the new samples.
func (tp *ThreadPage) Merge(later ThreadPage) {
	tp.Replies += later.Replies
	tp.Next = later.Next
	tp.addAuthorSamples(later.Posts)
}

func (tp *ThreadPage) addAuthorSamples(posts []Post) {
	p := &tp.Posting
	have := map[string]bool{}
	for _, s := range p.Samples {
		have[s.Text] = true
	}
	added := false
	for _, r := range posts {
		if p.Author == "" || r.Author != p.Author {
			continue
		}
		for i, s := range r.Samples {
			if have[s.Text] {
				continue
			}
			have[s.Text] = true
			name := fmt.Sprintf("reply-%s-sample-%d", r.ID, i+1)
			if r.ID == "" {
				name = fmt.Sprintf("reply-sample-%d", len(p.Samples)+1)
			}
			p.Samples = append(p.Samples, posting.Sample{Name: name, Text: s.Text})
			added = true
		}
	}
	if added {
		text := p.Body
		for _, smp := range p.Samples {
			text = strings.Replace(text, smp.Text, " ", 1)
		}
		p.DataClasses = dataClassesOf(p.Title+"\n"+text, p.Samples)
	}
}

// Listing returns the thread links of a listing page (absolute, on the
// site, in page order, without repeats) and the next listing page.
func Listing(s Site, p Page) (threads []string, next string, err error) {
	doc, base, err := parse(p)
	if err != nil {
		return nil, "", err
	}
	var threadRe *regexp.Regexp
	if s.Profile.Listing.ThreadURL != "" {
		if threadRe, err = regexp.Compile(s.Profile.Listing.ThreadURL); err != nil {
			return nil, "", fmt.Errorf("listing.thread_url: %w", err)
		}
	}
	site, err := url.Parse(s.BaseURL)
	if err != nil {
		return nil, "", fmt.Errorf("site %s: base url: %w", s.Name, err)
	}
	var laterRe *regexp.Regexp
	if s.Profile.Thread.LaterPage != "" {
		if laterRe, err = regexp.Compile(s.Profile.Thread.LaterPage); err != nil {
			return nil, "", fmt.Errorf("thread.later_page: %w", err)
		}
	}
	seen := map[string]bool{}
	doc.Find(s.Profile.Listing.Threads).Each(func(_ int, a *goquery.Selection) {
		u := resolve(base, a.AttrOr("href", ""))
		if u == nil || !sameSite(u, site) {
			return
		}
		u.Fragment = ""
		v := u.String()
		if threadRe != nil && !threadRe.MatchString(v) {
			return
		}
		if laterRe != nil && laterRe.MatchString(v) {
			return // a later page of a thread: read from its first page
		}
		if !seen[v] {
			seen[v] = true
			threads = append(threads, v)
		}
	})
	if s.Profile.Listing.Next != "" {
		if u := resolve(base, doc.Find(s.Profile.Listing.Next).First().AttrOr("href", "")); u != nil && sameSite(u, site) {
			u.Fragment = ""
			next = u.String()
		}
	}
	return threads, next, nil
}

// ThreadDetail reads a thread page: the posting (the thread's first
// post), the link to the thread's next page, the reply count, the
// replies, the lock state and whether the page is a later page of its
// thread (judged by its URL). The posting's own samples in replies on this
// page are added.
func ThreadDetail(s Site, p Page, orgs OrgMatcher) (ThreadPage, error) {
	later := false
	if lp := s.Profile.Thread.LaterPage; lp != "" {
		re, err := regexp.Compile(lp)
		if err != nil {
			return ThreadPage{}, fmt.Errorf("thread.later_page: %w", err)
		}
		later = re.MatchString(p.URL)
	}
	return threadDetail(s, p, orgs, later)
}

// ThreadLater reads a page reached by following a thread's next link: a
// later page whatever its URL says.
func ThreadLater(s Site, p Page) (ThreadPage, error) {
	return threadDetail(s, p, nil, true)
}

func threadDetail(s Site, p Page, orgs OrgMatcher, later bool) (ThreadPage, error) {
	doc, base, err := parse(p)
	if err != nil {
		return ThreadPage{}, err
	}
	site, err := url.Parse(s.BaseURL)
	if err != nil {
		return ThreadPage{}, fmt.Errorf("site %s: base url: %w", s.Name, err)
	}
	r := s.Profile.Thread
	posts := doc.Find(r.Post)
	if posts.Length() == 0 {
		return ThreadPage{}, ErrNotThread
	}
	first := posts.First()
	bodySel := first.Find(r.Body).First()
	if bodySel.Length() == 0 {
		bodySel = doc.Find(r.Body).First() // paste sites keep the body outside the frame
	}
	body := tidyText(nodeText(bodySel))

	canon := p.URL
	if c := fieldValue(doc.Selection, r.Canonical, true); c != "" {
		canon = c
	}
	canonURL := canonical(base, canon, r.CanonicalDrop)

	var post posting.Posting
	post.Site = s.Name
	post.SiteType = s.Type
	post.URL = canonURL
	post.PostID = fieldValue(first, r.PostID, false)
	if r.ThreadID != "" {
		if re, err := regexp.Compile(r.ThreadID); err == nil {
			for _, u := range []string{canonURL, p.URL} {
				if m := re.FindStringSubmatch(u); len(m) > 1 {
					post.ThreadID = m[1]
					break
				}
			}
		}
	}
	if !p.FetchedAt.IsZero() {
		post.CrawledAt = p.FetchedAt.UTC()
	}
	post.Title = oneLine(doc.Find(r.Title).First().Text())
	post.Body = body
	if body != "" {
		post.BodySHA256 = posting.BodyHash(body)
	}
	post.Author = oneLine(fieldValue(first, r.Author, false))
	if au := fieldValue(first, r.AuthorURL, false); au != "" {
		if u := resolve(base, au); u != nil {
			post.AuthorURL = u.String()
		}
	}
	dateText, dateAttr := dateOf(first, r.Date)
	post.PostedAtRaw = dateText
	if post.PostedAtRaw == "" {
		post.PostedAtRaw = dateAttr
	}
	for _, d := range []string{dateAttr, dateText} {
		if t, ok := ParseDate(d, p.FetchedAt, s.Location); ok {
			post.PostedAt = t
			break
		}
	}
	if r.Section != "" {
		post.Section = oneLine(doc.Find(r.Section).Last().Text())
	}

	// Samples: row-shaped code/pre/hide blocks, and [hide] BBCode left
	// unparsed by the forum.
	var hidden bool
	post.Samples, hidden = samplesIn(r, bodySel, body)

	firstText := first.Text()
	if r.Hidden != "" && (first.Find(r.Hidden).Length() > 0 || bodySel.Find(r.Hidden).Length() > 0) {
		hidden = true
	}
	if containsAny(firstText, r.HiddenText) || containsAny(body, r.HiddenText) {
		hidden = true
	}
	locked := (r.Locked != "" && doc.Find(r.Locked).Length() > 0) || containsAny(doc.Text(), r.LockedText)
	post.Hidden = hidden || locked

	// Links: external file hosts are recorded, same-site files become
	// sample files for the crawler to fetch within its cap.
	seenLink := map[string]bool{}
	addLink := func(raw, text string) {
		u := resolve(base, raw)
		if u == nil || (u.Scheme != "http" && u.Scheme != "https") {
			return
		}
		u.Fragment = ""
		v := u.String()
		if seenLink[v] {
			return
		}
		seenLink[v] = true
		switch {
		case isFileHost(u.Hostname()):
			post.DownloadLinks = append(post.DownloadLinks, v)
		case sameSite(u, site) && reSampleFile.MatchString(u.Path+"?"+u.RawQuery):
			name := oneLine(text)
			if name == "" || strings.HasPrefix(name, "http") {
				name = path.Base(u.Path)
			}
			post.SampleFiles = append(post.SampleFiles, posting.SampleFile{URL: v, Name: name})
		}
	}
	bodySel.Find("a[href]").Each(func(_ int, a *goquery.Selection) { addLink(a.AttrOr("href", ""), a.Text()) })
	for _, m := range reBareURL.FindAllString(body, -1) {
		addLink(strings.TrimRight(m, ".,;:!?"), "")
	}

	// Claims.
	textNoSamples := body
	for _, smp := range post.Samples {
		textNoSamples = strings.Replace(textNoSamples, smp.Text, " ", 1)
	}
	all := post.Title + "\n" + textNoSamples
	if orgs != nil {
		post.Victims = orgs.Match(post.Title + "\n" + textNoSamples)
	}
	post.Sectors = keywordsOf(all, sectorWords)
	post.Countries = keywordsOf(all, countryWords)
	post.ClaimedRecordsRaw, post.ClaimedRecords = claimedCount(post.Title, textNoSamples)
	post.DataClasses = dataClassesOf(all, post.Samples)
	post.Price, post.Currency = priceOf(all)
	post.Offer = offerOf(all, post.Price)
	post.Contacts = contactsOf(textNoSamples)
	post.Language = languageOf(all)
	post.ID = posting.DeriveID(post.Site, post.URL, post.PostID)

	tp := ThreadPage{Posting: post, Replies: posts.Length() - 1, Locked: locked, Later: later}
	replies := posts.Slice(1, goquery.ToEnd)
	if later {
		tp.Replies = posts.Length()
		replies = posts
	}
	replies.Each(func(_ int, sel *goquery.Selection) {
		b := sel.Find(r.Body).First()
		smp, _ := samplesIn(r, b, tidyText(nodeText(b)))
		tp.Posts = append(tp.Posts, Post{ID: fieldValue(sel, r.PostID, false), Author: oneLine(fieldValue(sel, r.Author, false)), Samples: smp})
	})
	if !later {
		tp.addAuthorSamples(tp.Posts)
	}
	if r.Next != "" {
		if u := resolve(base, doc.Find(r.Next).First().AttrOr("href", "")); u != nil && sameSite(u, site) {
			tp.Next = u.String()
		}
	}
	return tp, nil
}

// samplesIn returns the row-shaped sample blocks of a post's body (its
// text given) and whether the post hides content in [hide] BBCode.
func samplesIn(r ThreadRules, bodySel *goquery.Selection, body string) (samples []posting.Sample, hidden bool) {
	var blocks []string
	if r.Samples != "" {
		bodySel.Find(r.Samples).Each(func(_ int, b *goquery.Selection) {
			blocks = append(blocks, tidyText(nodeText(b)))
		})
		if bodySel.Is(r.Samples) {
			blocks = append(blocks, body)
		}
	}
	for _, m := range reHideBB.FindAllStringSubmatch(body, -1) {
		hidden = true
		blocks = append(blocks, strings.TrimSpace(m[1]))
	}
	return samplesOf(blocks), hidden
}

var reHideBB = regexp.MustCompile(`(?is)\[hide(?:=[^\]]*)?\](.*?)\[/hide\]`)

// samplesOf keeps the blocks that look like rows; when one accepted block
// holds another, the inner one wins (a hide block around a code block).
func samplesOf(blocks []string) []posting.Sample {
	var rows []string
	for _, b := range blocks {
		if r := rowsOf(b); r != "" {
			rows = append(rows, r)
		}
	}
	var out []posting.Sample
	for i, b := range rows {
		keep := true
		for j, o := range rows {
			if i == j {
				continue
			}
			if (o != b && strings.Contains(b, o)) || (o == b && j < i) {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, posting.Sample{Name: fmt.Sprintf("sample-%d", len(out)+1), Text: b})
		}
	}
	return out
}

// parse decodes the page to UTF-8 (charset from the Content-Type, a meta
// tag or sniffing) and parses it; the html parser repairs broken markup
// the way browsers do. The base for relative links honours <base href>.
func parse(p Page) (*goquery.Document, *url.URL, error) {
	base, err := url.Parse(p.URL)
	if err != nil || base.Host == "" {
		return nil, nil, fmt.Errorf("page url %q is not absolute", p.URL)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(Decode(p.Body, p.ContentType)))
	if err != nil {
		return nil, nil, fmt.Errorf("parse %s: %w", p.URL, err)
	}
	if h, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if b, err := base.Parse(h); err == nil {
			base = b
		}
	}
	return doc, base, nil
}

// Decode returns body as UTF-8 text.
func Decode(body []byte, contentType string) string {
	enc, _, _ := charset.DetermineEncoding(body, contentType)
	b, err := io.ReadAll(transform.NewReader(bytes.NewReader(body), enc.NewDecoder()))
	if err != nil {
		b = body
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func resolve(base *url.URL, href string) *url.URL {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "javascript:") || strings.HasPrefix(href, "mailto:") {
		return nil
	}
	u, err := base.Parse(href)
	if err != nil || u.Host == "" {
		return nil
	}
	return u
}

// canonical drops the fragment and the query parameters that do not
// change which thread a URL shows, and sorts the rest.
func canonical(base *url.URL, raw string, drop []string) string {
	u := resolve(base, raw)
	if u == nil {
		return raw
	}
	u.Fragment = ""
	q := u.Query()
	for _, d := range drop {
		q.Del(d)
	}
	u.RawQuery = q.Encode()
	u.Host = strings.ToLower(u.Host)
	return u.String()
}

// fieldValue reads a Field relative to sel; an empty selector means sel
// itself. With attr set, the attribute is read, else the text.
func fieldValue(sel *goquery.Selection, f Field, docWide bool) string {
	if f.Selector == "" && f.Attr == "" {
		return ""
	}
	if f.Selector == "" && docWide {
		return ""
	}
	target := sel
	if f.Selector != "" {
		target = sel.Find(f.Selector).First()
	}
	if target.Length() == 0 {
		return ""
	}
	var v string
	if f.Attr != "" {
		v = strings.TrimSpace(target.AttrOr(f.Attr, ""))
	} else {
		v = strings.TrimSpace(target.Text())
	}
	if f.Pattern != "" && v != "" {
		re, err := regexp.Compile(f.Pattern)
		if err != nil {
			return ""
		}
		m := re.FindStringSubmatch(v)
		if m == nil {
			return ""
		}
		if len(m) > 1 {
			return m[1]
		}
		return m[0]
	}
	return v
}

// dateOf returns the date element's visible text and its attribute.
func dateOf(sel *goquery.Selection, f Field) (text, attr string) {
	if f.Selector == "" {
		return "", ""
	}
	t := sel.Find(f.Selector).First()
	if t.Length() == 0 {
		return "", ""
	}
	text = oneLine(strings.SplitN(strings.TrimSpace(t.Text()), "\n", 2)[0])
	if f.Attr != "" {
		attr = strings.TrimSpace(t.AttrOr(f.Attr, ""))
	}
	return text, attr
}

func containsAny(s string, markers []string) bool {
	low := strings.ToLower(s)
	for _, m := range markers {
		if m != "" && strings.Contains(low, strings.ToLower(m)) {
			return true
		}
	}
	return false
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// blockElems end a line of text.
var blockElems = map[string]bool{"p": true, "div": true, "br": true, "li": true, "tr": true, "pre": true, "blockquote": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "table": true, "ul": true, "ol": true, "dd": true, "dt": true, "hr": true, "textarea": true}

// nodeText renders a selection as text with line breaks where the markup
// has blocks and <br>, keeping whitespace inside pre, code and textarea.
func nodeText(sel *goquery.Selection) string {
	var b strings.Builder
	last := func() byte {
		if b.Len() == 0 {
			return '\n'
		}
		s := b.String()
		return s[len(s)-1]
	}
	lineBreak := func() {
		if last() != '\n' {
			b.WriteByte('\n')
		}
	}
	var walk func(n *html.Node, pre bool)
	walk = func(n *html.Node, pre bool) {
		switch n.Type {
		case html.TextNode:
			d := n.Data
			if pre {
				if last() == '\n' {
					d = strings.TrimPrefix(strings.TrimPrefix(d, "\r"), "\n")
				}
				b.WriteString(d)
				return
			}
			words := strings.Fields(d)
			if len(words) == 0 {
				if d != "" && last() != ' ' && last() != '\n' {
					b.WriteByte(' ')
				}
				return
			}
			if isSpace(d[0]) && last() != ' ' && last() != '\n' {
				b.WriteByte(' ')
			}
			b.WriteString(strings.Join(words, " "))
			if isSpace(d[len(d)-1]) {
				b.WriteByte(' ')
			}
			return
		case html.ElementNode:
			switch {
			case n.Data == "script" || n.Data == "style":
				return
			case n.Data == "br":
				b.WriteByte('\n')
				return
			case n.Data == "td" || n.Data == "th":
				if last() != ' ' && last() != '\n' {
					b.WriteByte(' ')
				}
			}
			if n.Data == "pre" || n.Data == "textarea" || n.Data == "code" {
				pre = true
			}
			if blockElems[n.Data] {
				lineBreak()
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, pre)
		}
		if n.Type == html.ElementNode && blockElems[n.Data] {
			lineBreak()
		}
	}
	for _, n := range sel.Nodes {
		walk(n, false)
	}
	return b.String()
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// tidyText trims each line and keeps at most one blank line in a row.
func tidyText(s string) string {
	var out []string
	blank := false
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		l = strings.TrimRight(strings.TrimLeft(l, " "), " \t")
		if l == "" {
			if !blank && len(out) > 0 {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
