package normalize

import "unicode/utf8"

// stateAliases lists each canonical state or province name (the output of
// State) with the spellings seen in exports. Aliases are matched after
// stateKey has folded them, so "W.P. Kuala Lumpur", "w p kuala lumpur" and
// "WP Kuala Lumpur" are one alias; the canonical name is an alias of itself.
var stateAliases = []struct {
	canon   string
	aliases []string
}{
	// Malaysia: 13 states and 3 federal territories.
	{"johor", []string{"johor darul takzim", "johor darul tazim", "jhr", "jho"}},
	{"kedah", []string{"kedah darul aman", "kdh"}},
	{"kelantan", []string{"kelantan darul naim", "ktn", "kltn"}},
	{"melaka", []string{"malacca", "mlk", "melaka bandaraya bersejarah"}},
	{"negeri sembilan", []string{"n sembilan", "negri sembilan", "n9", "ns", "nsn", "negeri sembilan darul khusus"}},
	{"pahang", []string{"pahang darul makmur", "phg"}},
	{"pulau pinang", []string{"penang", "p pinang", "pp", "pg", "pulau pinang pulau mutiara"}},
	{"perak", []string{"perak darul ridzuan", "prk"}},
	{"perlis", []string{"perlis indera kayangan", "pls"}},
	{"sabah", []string{"sbh", "sabah negeri di bawah bayu"}},
	{"sarawak", []string{"swk", "srwk", "sarawak bumi kenyalang"}},
	{"selangor", []string{"selangor darul ehsan", "sgr", "slgr", "sel"}},
	{"terengganu", []string{"trengganu", "terengganu darul iman", "trg", "tgnu"}},
	{"wp kuala lumpur", []string{"kuala lumpur", "kl", "wpkl", "wp kl", "wilayah persekutuan kuala lumpur",
		"wilayah persekutuan kl", "federal territory of kuala lumpur", "ft kuala lumpur"}},
	{"wp labuan", []string{"labuan", "wilayah persekutuan labuan", "federal territory of labuan", "ft labuan", "lbn"}},
	{"wp putrajaya", []string{"putrajaya", "wilayah persekutuan putrajaya", "federal territory of putrajaya", "ft putrajaya", "pjy"}},

	// Indonesia: 38 provinces.
	{"aceh", []string{"nanggroe aceh darussalam", "nad", "daerah istimewa aceh"}},
	{"sumatera utara", []string{"sumatra utara", "sumut", "north sumatra", "north sumatera"}},
	{"sumatera barat", []string{"sumatra barat", "sumbar", "west sumatra", "west sumatera"}},
	{"riau", nil},
	{"kepulauan riau", []string{"kepri", "riau islands"}},
	{"jambi", nil},
	{"sumatera selatan", []string{"sumatra selatan", "sumsel", "south sumatra", "south sumatera"}},
	{"kepulauan bangka belitung", []string{"bangka belitung", "babel", "bangka belitung islands"}},
	{"bengkulu", nil},
	{"lampung", nil},
	{"dki jakarta", []string{"jakarta", "daerah khusus ibukota jakarta", "dki", "jakarta raya", "daerah khusus jakarta", "dk jakarta"}},
	{"jawa barat", []string{"jabar", "west java", "java barat"}},
	{"banten", nil},
	{"jawa tengah", []string{"jateng", "central java"}},
	{"di yogyakarta", []string{"yogyakarta", "diy", "daerah istimewa yogyakarta", "jogjakarta", "jogja", "yogya", "special region of yogyakarta"}},
	{"jawa timur", []string{"jatim", "east java"}},
	{"bali", nil},
	{"nusa tenggara barat", []string{"ntb", "west nusa tenggara"}},
	{"nusa tenggara timur", []string{"ntt", "east nusa tenggara"}},
	{"kalimantan barat", []string{"kalbar", "west kalimantan"}},
	{"kalimantan tengah", []string{"kalteng", "central kalimantan"}},
	{"kalimantan selatan", []string{"kalsel", "south kalimantan"}},
	{"kalimantan timur", []string{"kaltim", "east kalimantan"}},
	{"kalimantan utara", []string{"kaltara", "north kalimantan"}},
	{"sulawesi utara", []string{"sulut", "north sulawesi"}},
	{"gorontalo", nil},
	{"sulawesi tengah", []string{"sulteng", "central sulawesi"}},
	{"sulawesi barat", []string{"sulbar", "west sulawesi"}},
	{"sulawesi selatan", []string{"sulsel", "south sulawesi"}},
	{"sulawesi tenggara", []string{"sultra", "southeast sulawesi"}},
	{"maluku", nil},
	{"maluku utara", []string{"malut", "north maluku"}},
	{"papua", nil},
	{"papua barat", []string{"west papua", "irian jaya barat"}},
	{"papua barat daya", []string{"southwest papua"}},
	{"papua selatan", []string{"south papua"}},
	{"papua tengah", []string{"central papua"}},
	{"papua pegunungan", []string{"highland papua"}},
}

// stateByKey maps stateKey(alias) to the canonical name.
var stateByKey = map[string]string{}

func init() {
	var buf [128]byte
	for _, s := range stateAliases {
		for _, a := range append([]string{s.canon}, s.aliases...) {
			k := string(stateKey(buf[:0], a))
			if prev, dup := stateByKey[k]; dup && prev != s.canon {
				panic("normalize: state alias " + k + " is ambiguous")
			}
			stateByKey[k] = s.canon
		}
	}
}

// stateKey folds a state name for lookup: lower case, apostrophes
// dropped, other punctuation as space, single spaces, runs of single
// letters joined ("W.P." -> "wp", "N 9" -> "n9"), and an Indonesian
// "Provinsi" prefix dropped.
func stateKey(dst []byte, s string) []byte {
	lastSingle := false // the previous word was a single character
	wordStart := -1
	end := func() {
		if wordStart >= 0 {
			single := len(dst)-wordStart == 1
			if single && lastSingle && wordStart > 0 && dst[wordStart-1] == ' ' {
				// Join to the previous single letter: drop the space.
				c := dst[wordStart]
				dst = dst[:wordStart-1]
				dst = append(dst, c)
				single = true
			}
			lastSingle = single
			wordStart = -1
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
			fallthrough
		case c >= 'a' && c <= 'z', isDigit(c):
			if wordStart < 0 {
				if len(dst) > 0 {
					dst = append(dst, ' ')
				}
				wordStart = len(dst)
			}
			dst = append(dst, c)
		case c == '\'' || c == '`':
		default:
			end()
		}
	}
	end()
	for _, p := range []string{"provinsi ", "propinsi ", "prov "} {
		if len(dst) > len(p) && string(dst[:len(p)]) == p {
			dst = dst[:copy(dst, dst[len(p):])]
			break
		}
	}
	return dst
}

// State returns the canonical lower-case name of a Malaysian state or
// federal territory or an Indonesian province.
func (n *Normalizer) State(s string) (string, error) {
	s = trimSpace(s)
	if s == "" {
		return "", errStateEmpty
	}
	if len(s) > 100 {
		return "", errStateUnknown
	}
	if !isASCII(s) {
		s = foldUnicode(s)
		for i := 0; i < len(s); i++ {
			if s[i] >= utf8.RuneSelf {
				return "", errStateUnknown // every name we know is ASCII
			}
		}
	}
	var buf [128]byte
	if c, ok := stateByKey[string(stateKey(buf[:0], s))]; ok {
		return c, nil
	}
	return "", errStateUnknown
}
