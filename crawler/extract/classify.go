package extract

import (
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/semak/semak/crawler/posting"
)

// offerOf reads whether the data is sold, given away or auctioned. An
// auction word wins over a sale word (an auction names prices too), and a
// price makes a sale.
func offerOf(text string, price float64) posting.Offer {
	t := normalizeWords(text)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(t, " "+w+" ") {
				return true
			}
		}
		return false
	}
	switch {
	case has("auction", "lelong", "lelang", "starting bid", "start bid", "bidding", "blitz", "bid"):
		return posting.Auction
	case has("for sale", "selling", "wts", "jual", "dijual", "menjual", "harga", "price", "buy", "beli"), price > 0:
		return posting.Sale
	case has("free", "percuma", "gratis", "free download", "leaked for free", "download free"):
		return posting.Free
	}
	return ""
}

var (
	rePriceSymbolFirst = regexp.MustCompile(`(?i)(\$|US\$|USD|RM|MYR|Rp\.?|IDR|€|EUR|XMR|BTC|USDT)\s?(\d{1,3}(?:[,.]\d{3})+|\d+(?:\.\d+)?)\s*(k)?\b`)
	rePriceCodeAfter   = regexp.MustCompile(`(?i)\b(\d{1,3}(?:[,.]\d{3})+|\d+(?:\.\d+)?)\s*(k)?\s?(\$|USD|USDT|XMR|BTC|MYR|IDR|EUR|€|monero|bitcoin|tether)(?:\W|$)`)
	priceLine          = regexp.MustCompile(`(?i)price|harga|cost|kos|bayar|pay|usd|xmr|btc|usdt|\$|€|rm\s?\d|starting|bid|sell|jual`)
)

var currencyCodes = map[string]string{
	"$": "USD", "us$": "USD", "usd": "USD", "rm": "MYR", "myr": "MYR", "rp": "IDR", "rp.": "IDR", "idr": "IDR",
	"€": "EUR", "eur": "EUR", "xmr": "XMR", "monero": "XMR", "btc": "BTC", "bitcoin": "BTC", "usdt": "USDT", "tether": "USDT",
}

// priceOf finds the first price on a line that talks about price.
func priceOf(text string) (float64, string) {
	for _, line := range strings.Split(text, "\n") {
		if !priceLine.MatchString(line) {
			continue
		}
		if m := rePriceSymbolFirst.FindStringSubmatch(line); m != nil {
			if v, ok := priceNumber(m[2], m[3]); ok {
				return v, currencyCodes[strings.ToLower(m[1])]
			}
		}
		if m := rePriceCodeAfter.FindStringSubmatch(line); m != nil {
			if v, ok := priceNumber(m[1], m[2]); ok {
				return v, currencyCodes[strings.ToLower(m[3])]
			}
		}
	}
	return 0, ""
}

func priceNumber(num, k string) (float64, bool) {
	var v float64
	if strings.HasPrefix(num, "0.") || strings.HasPrefix(num, "0,") {
		f, err := strconv.ParseFloat(strings.Replace(num, ",", ".", 1), 64)
		if err != nil {
			return 0, false
		}
		v = f
	} else {
		f, ok := parseGroupedNumber(num)
		if !ok {
			return 0, false
		}
		v = f
	}
	if strings.EqualFold(k, "k") {
		v *= 1000
	}
	return v, v > 0
}

var (
	reTelegramLink = regexp.MustCompile(`(?i)\b(?:t\.me|telegram\.me)/([A-Za-z0-9_]{5,32})\b`)
	reHandle       = regexp.MustCompile(`(?:^|[\s:(,])@([A-Za-z][A-Za-z0-9_]{4,31})\b`)
	reSession      = regexp.MustCompile(`\b(05[0-9a-f]{64})\b`)
	reTox          = regexp.MustCompile(`\b([0-9A-Fa-f]{76})\b`)
	reEmail        = regexp.MustCompile(`\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,200}\.[A-Za-z]{2,24}\b`)
	reXMPP         = regexp.MustCompile(`(?i)\b(?:xmpp|jabber|jid)\s*[:=-]?\s*([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,24})\b`)
	contactLine    = regexp.MustCompile(`(?i)contact|hubungi|telegram|\btg\b|session|tox|xmpp|jabber|email me|e-mel|dm me|pm me|whatsapp|wickr|signal|reach me|hit me`)
)

// contactsOf reads the seller's contacts. Emails and handles count only on
// a line that offers contact, so leaked emails in the body are not taken
// for the seller's.
func contactsOf(text string) []string {
	set := map[string]bool{}
	for _, m := range reTelegramLink.FindAllStringSubmatch(text, -1) {
		set["telegram:@"+m[1]] = true
	}
	for _, m := range reSession.FindAllStringSubmatch(text, -1) {
		set["session:"+m[1]] = true
	}
	for _, line := range strings.Split(text, "\n") {
		if !contactLine.MatchString(line) {
			continue
		}
		low := strings.ToLower(line)
		for _, m := range reTox.FindAllStringSubmatch(line, -1) {
			set["tox:"+strings.ToUpper(m[1])] = true
		}
		xmpp := map[string]bool{}
		for _, m := range reXMPP.FindAllStringSubmatch(line, -1) {
			set["xmpp:"+m[1]] = true
			xmpp[m[1]] = true
		}
		for _, e := range reEmail.FindAllString(line, -1) {
			if !xmpp[e] {
				set["email:"+e] = true
			}
		}
		if strings.Contains(low, "telegram") || strings.Contains(low, "tg") || strings.Contains(low, "contact") || strings.Contains(low, "hubungi") {
			for _, m := range reHandle.FindAllStringSubmatch(line, -1) {
				set["telegram:@"+m[1]] = true
			}
		}
	}
	return sortedKeys(set)
}

// dataClassRules name the kinds of personal data a posting claims to hold.
// Each keyword list is matched as whole words in the text and in the
// header rows of samples.
var dataClassRules = []struct {
	class string
	words []string
	re    *regexp.Regexp
}{
	{"mykad", []string{"mykad", "ic number", "no ic", "no kp", "nric", "ic no", "kad pengenalan", "icno", "no_ic"}, regexp.MustCompile(`\b\d{6}-\d{2}-\d{4}\b`)},
	{"nik", []string{"nik", "nomor induk kependudukan", "no ktp", "ktp"}, nil},
	{"names", []string{"name", "names", "nama", "full name", "fullname", "full_name", "nama penuh", "nama lengkap", "first name", "last name"}, nil},
	{"phones", []string{"phone", "phones", "telefon", "telepon", "no tel", "no hp", "hp", "mobile", "msisdn", "handphone", "phone number", "no telefon"}, regexp.MustCompile(`(?:\+?60|\b0)1\d-?\d{7,8}\b|(?:\+?62|\b0)8\d{8,11}\b`)},
	{"emails", []string{"email", "emails", "e-mail", "e mel", "emel"}, nil},
	{"addresses", []string{"address", "addresses", "alamat", "postcode", "poskod", "kode pos"}, nil},
	{"salaries", []string{"salary", "salaries", "gaji", "income", "pendapatan", "wages", "upah"}, nil},
	{"medical", []string{"medical", "diagnosis", "perubatan", "patient", "patients", "pesakit", "pasien", "rekod kesihatan", "health records", "medical records", "prescription", "icd10"}, nil},
	{"passwords", []string{"password", "passwords", "kata laluan", "kata sandi", "pass", "hash", "combolist", "combo"}, nil},
	{"dob", []string{"dob", "date of birth", "tarikh lahir", "tanggal lahir", "birthdate", "birth date"}, nil},
	{"bank_accounts", []string{"bank account", "no akaun", "account number", "iban", "nomor rekening", "rekening", "credit card", "kad kredit", "cvv"}, nil},
}

func dataClassesOf(text string, samples []posting.Sample) []string {
	t := normalizeWords(text)
	h := normalizeWords(strings.NewReplacer("_", " ").Replace(sampleKeys(samples)))
	all := t + h
	set := map[string]bool{}
	for _, r := range dataClassRules {
		for _, w := range r.words {
			if strings.Contains(all, " "+w+" ") {
				set[r.class] = true
				break
			}
		}
		if !set[r.class] && r.re != nil {
			for _, s := range samples {
				if r.re.MatchString(s.Text) {
					set[r.class] = true
					break
				}
			}
		}
	}
	for _, s := range samples {
		if reEmail.MatchString(s.Text) {
			set["emails"] = true
		}
	}
	return sortedKeys(set)
}

var langWords = map[string][]string{
	"ms": {"boleh", "sahaja", "percuma", "rekod", "ialah", "akaun", "telefon", "kerajaan", "bilion", "sila", "nak", "tak", "kami", "ini", "yang", "dan", "untuk", "dengan", "jual", "hubungi", "semua", "pekerja", "maklumat", "pengguna", "ahli", "dah", "baru"},
	"id": {"bisa", "saja", "gratis", "sudah", "nggak", "gak", "akun", "telepon", "pemerintah", "miliar", "silakan", "tidak", "ini", "yang", "dan", "untuk", "dengan", "dijual", "hubungi", "semua", "karyawan", "pengguna", "juga", "dari", "terbaru", "lengkap", "kami", "peserta"},
	"en": {"the", "and", "for", "with", "this", "records", "sale", "database", "price", "contact", "free", "leak", "users", "data", "of", "is", "are", "selling", "sample", "full"},
}

// languageOf guesses ms, id or en by stop words; Malay and Indonesian
// share many, so only the words one of them lacks tip the balance.
func languageOf(text string) string {
	t := normalizeWords(text)
	score := map[string]int{}
	for lang, words := range langWords {
		for _, w := range words {
			score[lang] += strings.Count(t, " "+w+" ")
		}
	}
	best, bestN := "", 2
	for _, l := range []string{"en", "ms", "id"} {
		if score[l] > bestN {
			best, bestN = l, score[l]
		}
	}
	return best
}

var sectorWords = map[string][]string{
	"government": {"kerajaan", "government", "ministry", "kementerian", "jabatan", "pemerintah", "gov my", "go id", "perkeso", "socso", "kwsp", "epf", "bpjs", "jpn", "dukcapil", "lhdn", "council", "majlis"},
	"health":     {"hospital", "klinik", "clinic", "health", "kesihatan", "kesehatan", "medical", "perubatan", "patient", "pesakit", "pasien", "farmasi", "pharmacy"},
	"finance":    {"bank", "insurance", "insurans", "asuransi", "fintech", "credit", "kredit", "loan", "pinjaman", "takaful", "securities"},
	"education":  {"university", "universiti", "universitas", "school", "sekolah", "college", "kolej", "student", "pelajar", "mahasiswa"},
	"telecom":    {"telco", "telecom", "telekom", "mobile operator", "prepaid", "postpaid", "sim card"},
	"retail":     {"ecommerce", "e commerce", "shop", "kedai", "toko", "marketplace", "retail"},
}

var countryWords = map[string][]string{
	"MY": {"malaysia", "malaysian", "my", "kuala lumpur", "selangor", "johor", "penang", "sabah", "sarawak", "mykad", "perkeso", "socso", "kwsp", "gov my", "com my"},
	"ID": {"indonesia", "indonesian", "jakarta", "surabaya", "bandung", "bpjs", "dukcapil", "nik", "go id", "co id"},
	"SG": {"singapore", "singaporean", "sg", "nric sg", "com sg", "gov sg"},
}

func keywordsOf(text string, table map[string][]string) []string {
	t := normalizeWords(text)
	set := map[string]bool{}
	for k, words := range table {
		for _, w := range words {
			if strings.Contains(t, " "+w+" ") {
				set[k] = true
				break
			}
		}
	}
	return sortedKeys(set)
}

// fileHosts are external file hosts: links to them are recorded, never
// fetched (the crawler does not download from third parties).
var fileHosts = []string{"mega.nz", "mega.co.nz", "mega.io", "gofile.io", "anonfiles.com", "anonfile.com", "pixeldrain.com", "mediafire.com", "files.catbox.moe", "catbox.moe", "sendspace.com", "dropbox.com", "krakenfiles.com", "bayfiles.com", "transfer.sh", "workupload.com", "upload.ee", "file.io", "uploadnow.io", "qiwi.gg", "buzzheavier.com", "drive.google.com", "oshi.at", "temp.sh", "zippyshare.com", "ufile.io", "filetransfer.io"}

func isFileHost(host string) bool {
	host = strings.ToLower(strings.TrimPrefix(host, "www."))
	for _, h := range fileHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}

var reSampleFile = regexp.MustCompile(`(?i)(attachment\.php\?aid=\d+|/attachments/|download/file\.php\?id=\d+|\.(csv|txt|sql|json|xlsx?|zip|7z|rar|gz|tsv|xml)(\?|$))`)

// reBareURL finds URLs written as text (file-host links are often not
// anchors, to dodge link filters).
var reBareURL = regexp.MustCompile(`\bhttps?://[^\s"'<>\]\[)]+`)

func sortedKeys(set map[string]bool) []string {
	if len(set) == 0 {
		return nil
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sameSite says whether u is on the site whose base URL is base.
func sameSite(u, base *url.URL) bool {
	return strings.EqualFold(u.Hostname(), base.Hostname())
}

// Row-shaped text: CSV/TSV with a steady column count, key: value lines,
// combolists (user:pass / email:pass).
var (
	reKV    = regexp.MustCompile(`^\s*[\p{L}][\p{L}\p{N} _./-]{0,40}\s*[:=]\s*\S`)
	reCombo = regexp.MustCompile(`^\S+[:;|]\S+$`)
)

// rowShape says whether a block is sample data rather than prose or a
// quote: at least two lines, most of them CSV rows with the same number
// of fields, key: value pairs or combolist entries. isRow tells the row
// lines from the prose around them.
func rowShape(lines []string) (isRow func(string) bool, ok bool) {
	var nonEmpty []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			nonEmpty = append(nonEmpty, l)
		}
	}
	if len(nonEmpty) < 2 {
		return nil, false
	}
	most := func(n int) bool { return n >= 2 && n*10 >= len(nonEmpty)*7 }
	for _, sep := range []string{"\t", "|", ";", ","} {
		counts := map[int]int{}
		for _, l := range nonEmpty {
			if n := strings.Count(l, sep); n >= 1 {
				counts[n]++
			}
		}
		for n, c := range counts {
			// One separator per line over two lines is as likely prose.
			if most(c) && (n >= 2 || c >= 3) {
				return func(l string) bool { return strings.Count(l, sep) == n }, true
			}
		}
	}
	kv, combo := 0, 0
	for _, l := range nonEmpty {
		if reKV.MatchString(l) {
			kv++
		}
		if reCombo.MatchString(l) {
			combo++
		}
	}
	if most(combo) {
		return func(l string) bool { return reCombo.MatchString(strings.TrimSpace(l)) }, true
	}
	if most(kv) {
		return func(l string) bool { return reKV.MatchString(l) }, true
	}
	return nil, false
}

// rowsOf returns the row part of a block (prose lines before and after
// the rows dropped), or "" when the block is not rows.
func rowsOf(block string) string {
	lines := strings.Split(block, "\n")
	isRow, ok := rowShape(lines)
	if !ok {
		return ""
	}
	i, j := 0, len(lines)
	for i < j && !isRow(lines[i]) {
		i++
	}
	for j > i && !isRow(lines[j-1]) {
		j--
	}
	if _, ok := rowShape(lines[i:j]); !ok {
		return ""
	}
	return strings.TrimSpace(strings.Join(lines[i:j], "\n"))
}

// sampleKeys returns the header row and the keys of key: value rows of
// the samples: what the data classes are read from.
func sampleKeys(samples []posting.Sample) string {
	var b strings.Builder
	for _, s := range samples {
		lines := strings.Split(s.Text, "\n")
		b.WriteString(lines[0])
		b.WriteByte(' ')
		for _, l := range lines {
			if k, _, ok := strings.Cut(l, ":"); ok && reKV.MatchString(l) {
				b.WriteString(k)
				b.WriteByte(' ')
			}
		}
	}
	return b.String()
}
