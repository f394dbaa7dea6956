package extract

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/semak/semak/crawler/posting"
)

// now is Saturday 16 December 2023, 12:00 in Kuala Lumpur.
var (
	kl  = time.FixedZone("MYT", 8*3600)
	now = time.Date(2023, 12, 16, 12, 0, 0, 0, kl)
)

func TestParseDate(t *testing.T) {
	utc := func(s string) time.Time {
		tt, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tt.UTC()
	}
	tests := []struct {
		raw  string
		want string // RFC 3339; "" means not a date
	}{
		{"2 hours ago", "2023-12-16T02:00:00Z"},
		{"an hour ago", "2023-12-16T03:00:00Z"},
		{"5 minit lalu", "2023-12-16T03:55:00Z"},
		{"3 hari yang lalu", "2023-12-13T04:00:00Z"},
		{"2 jam yang lalu", "2023-12-16T02:00:00Z"},
		{"1 week ago", "2023-12-09T04:00:00Z"},
		{"just now", "2023-12-16T04:00:00Z"},
		{"Yesterday at 10:14", "2023-12-15T02:14:00Z"},
		{"Yesterday, 10:14 PM", "2023-12-15T14:14:00Z"},
		{"Today at 9:12 AM", "2023-12-16T01:12:00Z"},
		{"Semalam", "2023-12-14T16:00:00Z"},
		{"Semalam, 09:30 PG", "2023-12-15T01:30:00Z"},
		{"Semalam, 11:02 PTG", "2023-12-15T15:02:00Z"},
		{"Hari ini", "2023-12-15T16:00:00Z"},
		{"Hari ini, 08:02", "2023-12-16T00:02:00Z"},
		{"kemarin", "2023-12-14T16:00:00Z"},
		{"Kemarin pukul 10.14", "2023-12-15T02:14:00Z"},
		{"Monday at 3:04 PM", "2023-12-11T07:04:00Z"},
		{"15 Dis 2023", "2023-12-14T16:00:00Z"},
		{"15 Desember 2023 20:15", "2023-12-15T12:15:00Z"},
		{"15 Dis 2023, 08:15 PTG", "2023-12-15T12:15:00Z"},
		{"1 Ogos 2023", "2023-07-31T16:00:00Z"},
		{"17 Agustus 2023", "2023-08-16T16:00:00Z"},
		{"Dec 15, 2023 at 3:04 PM", "2023-12-15T07:04:00Z"},
		{"Fri Dec 15, 2023 10:14 am", "2023-12-15T02:14:00Z"},
		{"December 15th, 2023", "2023-12-14T16:00:00Z"},
		{"Dec 15 at 3:04 PM", "2023-12-15T07:04:00Z"},
		{"2023-12-15T10:00:00+0800", "2023-12-15T02:00:00Z"},
		{"2023-12-15T10:00:00+08:00", "2023-12-15T02:00:00Z"},
		{"2023-12-15 10:00", "2023-12-15T02:00:00Z"},
		{"2023-12-15 10:00 WIB", "2023-12-15T03:00:00Z"},
		{"15/12/2023 10:00", "2023-12-15T02:00:00Z"},
		{"12-14-2023, 03:04 PM", "2023-12-14T07:04:00Z"},
		{"1702605600", "2023-12-15T02:00:00Z"},
		// Negatives.
		{"", ""},
		{"soon", ""},
		{"31 Feb 2023", ""},
		{"25:61", ""},
		{"Dec 45, 2023", ""},
		{"yesterday at 99:99", ""},
		{"1,500,000 records", ""},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			got, ok := ParseDate(tc.raw, now, kl)
			if tc.want == "" {
				if ok {
					t.Fatalf("ParseDate(%q) = %v, want no date", tc.raw, got)
				}
				return
			}
			if !ok || !got.Equal(utc(tc.want)) {
				t.Fatalf("ParseDate(%q) = %v, %v; want %s", tc.raw, got, ok, tc.want)
			}
			if got.Location() != time.UTC {
				t.Errorf("not in UTC: %v", got.Location())
			}
		})
	}
}

func TestParseCount(t *testing.T) {
	tests := []struct {
		raw  string
		want int64
		ok   bool
	}{
		{"1.2M", 1_200_000, true},
		{"3 juta", 3_000_000, true},
		{"279 million", 279_000_000, true},
		{"500k", 500_000, true},
		{"500K+", 500_000, true},
		{"1,500,000", 1_500_000, true},
		{"1.500.000", 1_500_000, true},
		{"3jt", 3_000_000, true},
		{"2.5 bilion", 2_500_000_000, true},
		{"1,5 juta", 1_500_000, true},
		{"1.5 billion", 1_500_000_000, true},
		{"12 ribu", 12_000, true},
		{"45000", 45_000, true},
		{"1,500", 1_500, true},
		{"~2M", 2_000_000, true},
		{"", 0, false},
		{"many", 0, false},
		{"2.5", 0, false},
		{"1.2.3M", 0, false},
		{"-5", 0, false},
		{"99999999 billion", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			got, ok := ParseCount(tc.raw)
			if ok != tc.ok || got != tc.want {
				t.Fatalf("ParseCount(%q) = %d, %v; want %d, %v", tc.raw, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestClaimedCount(t *testing.T) {
	tests := []struct{ text, raw string }{
		{"PERKESO 3 juta rekod", "3 juta"},
		{"Total: 1.2M", "1.2M"},
		{"279 million records of citizens", "279 million"},
		{"1,500,000 prepaid subscribers", "1,500,000"},
		{"PERKESO 2023 data dump", ""},
		{"selling for 2 BTC", ""},
	}
	for _, tc := range tests {
		raw, _ := claimedCount(tc.text)
		if raw != tc.raw {
			t.Errorf("claimedCount(%q) = %q, want %q", tc.text, raw, tc.raw)
		}
	}
}

func TestAliases(t *testing.T) {
	m := Aliases(map[string][]string{
		"socso": {"Socso", "PERKESO", "Pertubuhan Keselamatan Sosial"},
		"kwsp":  {"KWSP", "EPF", "Kumpulan Wang Simpanan Pekerja"},
	})
	tests := []struct {
		text string
		want string
	}{
		{"dump of PERKESO contributors", "socso"},
		{"Pertubuhan  Keselamatan\nSosial data", "socso"},
		{"socso & kwsp combined", "kwsp,socso"},
		{"PERKESOX is a different word", ""},
		{"epfl students", ""},
		{"nothing here", ""},
	}
	for _, tc := range tests {
		if got := strings.Join(m.Match(tc.text), ","); got != tc.want {
			t.Errorf("Match(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestClassifiers(t *testing.T) {
	t.Run("offer", func(t *testing.T) {
		for text, want := range map[string]posting.Offer{
			"WTS fresh db":                       posting.Sale,
			"dijual murah":                       posting.Sale,
			"free download, enjoy":               posting.Free,
			"percuma untuk semua":                posting.Free,
			"auction starts now, starting bid":   posting.Auction,
			"lelong data, bid minimum 1 BTC":     posting.Auction,
			"just sharing news about the breach": "",
		} {
			if got := offerOf(text, 0); got != want {
				t.Errorf("offerOf(%q) = %q, want %q", text, got, want)
			}
		}
	})
	t.Run("price", func(t *testing.T) {
		for text, want := range map[string]string{
			"Price: $1,500":        "1500 USD",
			"Harga: 2500 USD":      "2500 USD",
			"price 0.5 BTC":        "0.5 BTC",
			"pay 3 XMR only":       "3 XMR",
			"Harga RM 8,000":       "8000 MYR",
			"price: 500 USDT":      "500 USDT",
			"price 2k$":            "2000 USD",
			"500k records, no bid": "",
			"contains 3,000 rows":  "",
		} {
			v, c := priceOf(text)
			got := ""
			if c != "" {
				got = strconvF(v) + " " + c
			}
			if got != want {
				t.Errorf("priceOf(%q) = %q, want %q", text, got, want)
			}
		}
	})
	t.Run("contacts", func(t *testing.T) {
		text := "Contact telegram @seller_one or t.me/seller_two\nleaked: victim@mail.example.com\nemail me: seller@mail.example.org"
		got := strings.Join(contactsOf(text), " ")
		want := "email:seller@mail.example.org telegram:@seller_one telegram:@seller_two"
		if got != want {
			t.Errorf("contactsOf = %q, want %q", got, want)
		}
	})
	t.Run("language", func(t *testing.T) {
		for text, want := range map[string]string{
			"Kami jual data ini, boleh hubungi untuk sampel percuma sahaja":  "ms",
			"Dijual data terbaru, bisa nego, sudah lengkap, hubungi saja ya": "id",
			"Selling the full database of the company, contact for price":    "en",
			"ok": "",
		} {
			if got := languageOf(text); got != want {
				t.Errorf("languageOf(%q) = %q, want %q", text, got, want)
			}
		}
	})
	t.Run("rows", func(t *testing.T) {
		for text, want := range map[string]bool{
			"a,b,c\n1,2,3\n4,5,6":                      true,
			"Name: X\nIC: 900101-14-5678\nPhone: 0123": true,
			"u1@x.example:pw1\nu2@x.example:pw2":       true,
			"just a quote\nof somebody else's words.":  false,
			"one,line": false,
			"Hello, world.\nThis is prose, not a list.": false,
		} {
			if got := rowsOf(text) != ""; got != want {
				t.Errorf("rowsOf(%q) = %v, want %v", text, got, want)
			}
		}
	})
	t.Run("file hosts", func(t *testing.T) {
		for host, want := range map[string]bool{"mega.nz": true, "www.mediafire.com": true, "gofile.io": true, "pixeldrain.com": true, "example.org": false, "notmega.nz": false} {
			if got := isFileHost(host); got != want {
				t.Errorf("isFileHost(%q) = %v", host, got)
			}
		}
	})
}

func TestProfileOverride(t *testing.T) {
	p, err := Builtin("mybb")
	if err != nil {
		t.Fatal(err)
	}
	o, err := p.Override([]byte("thread:\n  body: \"div.message\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Thread.Body != "div.message" || o.Thread.Post != p.Thread.Post || p.Thread.Body == "div.message" {
		t.Errorf("override: body %q post %q (builtin body %q)", o.Thread.Body, o.Thread.Post, p.Thread.Body)
	}
	if _, err := p.Override([]byte("thread:\n  bdy: x\n")); err == nil {
		t.Error("unknown key accepted")
	}
	if _, err := p.Override([]byte("thread:\n  post: \"div[\"\n")); err == nil || !strings.Contains(err.Error(), "thread.post") {
		t.Errorf("bad selector: %v", err)
	}
	if _, err := Builtin("vbulletin"); err == nil {
		t.Error("unknown engine accepted")
	}
	for _, e := range Engines() {
		if _, err := Builtin(e); err != nil {
			t.Errorf("%s: %v", e, err)
		}
	}
}

func TestParseRefresh(t *testing.T) {
	for v, want := range map[string]string{"5; url=/q": "5s /q", "0;URL='/next'": "0s /next", "3": "3s ", "x": "bad", "": "bad"} {
		d, u, ok := ParseRefresh(v)
		got := "bad"
		if ok {
			got = d.String() + " " + u
		}
		if got != want {
			t.Errorf("ParseRefresh(%q) = %q, want %q", v, got, want)
		}
	}
}

func TestBrokenAndNonUTF8(t *testing.T) {
	site := Site{Name: "x", BaseURL: "http://x.example/", Profile: mustBuiltin(t, "phpbb")}
	body := []byte("<html><head><meta charset=windows-1252></head><body><div id=page-body><div class=post><div class=postbody><div class=content>Caf\xe9 \x80500 <b>unclosed <i>tags</div></div></div>")
	tp, err := ThreadDetail(site, Page{URL: "http://x.example/viewtopic.php?t=1", Body: body}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tp.Posting.Body, "Café €500") {
		t.Errorf("body %q: windows-1252 not decoded", tp.Posting.Body)
	}
	if _, err := ThreadDetail(site, Page{URL: "http://x.example/", Body: []byte("<p>no posts")}, nil); !errors.Is(err, ErrNotThread) {
		t.Errorf("err = %v, want ErrNotThread", err)
	}
}

func mustBuiltin(t *testing.T, e string) Profile {
	p, err := Builtin(e)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Each engine's later_page tells a thread's first page from its later
// ones by URL, the way the engine paginates.
func TestLaterPage(t *testing.T) {
	tests := []struct {
		engine, url string
		later       bool
	}{
		{"mybb", "http://f.onion/showthread.php?tid=7", false},
		{"mybb", "http://f.onion/showthread.php?tid=7&page=1", false},
		{"mybb", "http://f.onion/showthread.php?tid=7&page=2", true},
		{"mybb", "http://f.onion/showthread.php?page=12&tid=7", true},
		{"mybb", "http://f.onion/showthread.php?tid=7&pagex=2", false},
		{"xenforo", "https://f.example/threads/socso-3m.123/", false},
		{"xenforo", "https://f.example/threads/socso-3m.123/page-2", true},
		{"xenforo", "https://f.example/threads/socso-3m.123/page-10?x=1", true},
		{"xenforo", "https://f.example/threads/page-1-of-data.123/", false},
		{"phpbb", "http://f.onion/viewtopic.php?f=5&t=301", false},
		{"phpbb", "http://f.onion/viewtopic.php?f=5&t=301&start=0", false},
		{"phpbb", "http://f.onion/viewtopic.php?f=5&t=301&start=20", true},
		{"paste", "http://p.onion/view/Ab3dE9", false},
	}
	for _, tt := range tests {
		prof, err := Builtin(tt.engine)
		if err != nil {
			t.Fatal(err)
		}
		page := `<html><body><div id="posts"><div class="post" id="post_1"><div class="post_body">hello</div></div></div>` +
			`<div id="page-body"><div class="post"><div class="postbody"><div class="content">hello</div></div></div></div>` +
			`<article class="message--post"><div class="message-body"><div class="bbWrapper">hello</div></div></article>` +
			`<div class="paste_box_frame"><textarea id="paste_code">hello</textarea></div></body></html>`
		tp, err := ThreadDetail(Site{Name: "f", BaseURL: tt.url, Profile: prof}, Page{URL: tt.url, Body: []byte(page)}, nil)
		if err != nil {
			t.Fatalf("%s %s: %v", tt.engine, tt.url, err)
		}
		if tp.Later != tt.later {
			t.Errorf("%s %s: later %v, want %v", tt.engine, tt.url, tp.Later, tt.later)
		}
		// On a later page every post is a reply.
		if want := map[bool]int{false: 0, true: 1}[tt.later]; tp.Replies != want || len(tp.Posts) != want {
			t.Errorf("%s %s: %d replies, %d posts; want %d", tt.engine, tt.url, tp.Replies, len(tp.Posts), want)
		}
	}
}
