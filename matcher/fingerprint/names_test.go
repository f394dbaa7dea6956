package fingerprint

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// Generated Malaysian-looking names, for the name-filter measurements and
// the benchmarks. The lists are longer than fixtures' so that unrelated
// pairs are not mostly repeats.
var (
	malayMale = []string{"ahmad", "muhammad", "mohd", "mohamad", "azman", "hafiz", "faiz", "khairul", "anuar", "syafiq", "amirul",
		"hakim", "hazim", "zulkifli", "ismail", "razak", "firdaus", "shahrul", "nizam", "faizal", "nazri", "hairi", "ridzuan",
		"aiman", "danial", "irfan", "luqman", "haziq", "syazwan", "afiq", "izzat", "nabil", "adam", "harith", "zaki", "rosli"}
	malayFemale = []string{"siti", "nurhaliza", "nur", "aisyah", "nurul", "izzah", "farah", "hanim", "aminah", "zaleha", "nor",
		"azlina", "haslinda", "khadijah", "noraini", "ain", "syazwani", "rohana", "amira", "aina", "sofea", "fatimah",
		"zulaikha", "balqis", "hidayah", "najwa", "athirah", "aqilah", "syahirah", "wardah", "suraya", "salmah"}
	malayFather = []string{"abdullah", "ismail", "hassan", "ibrahim", "osman", "yusof", "ahmad", "abdul", "rahman", "hamid",
		"salleh", "mohamed", "aziz", "kassim", "jaafar", "zainal", "abidin", "mat", "isa", "harun", "sulaiman", "omar",
		"yaakob", "daud", "musa", "idris", "ramli", "razali", "bakar", "hussin", "latif", "mansor"}
	cnSurname = []string{"tan", "lim", "lee", "wong", "ng", "chong", "ong", "teh", "goh", "chan", "yap", "low", "khoo",
		"chua", "ooi", "leong", "lau", "foo", "cheah", "koh", "loh", "tay", "ho", "chin", "liew", "soh", "kang", "yeoh"}
	cnGiven = []string{"ah", "kow", "wei", "jie", "chee", "keong", "kok", "wai", "jun", "hao", "boon", "hock", "kah", "seng",
		"yong", "sheng", "chun", "zi", "xuan", "mei", "ling", "hui", "min", "siew", "lan", "pei", "shan", "xin", "yi", "li",
		"ying", "sook", "fun", "mun", "jia", "yee", "ting", "kar", "hoe", "soon", "meng", "choon", "eng"}
	inGiven = []string{"muthu", "ganesh", "rajesh", "suresh", "arun", "vijay", "kumaravel", "ravi", "saravanan", "prakash",
		"kavitha", "priya", "devi", "lakshmi", "shanti", "meena", "revathi", "thilaga", "vasanthi", "selvam", "kannan",
		"mahendran", "logeswari", "thanabalan", "yogeswaran", "sharmila", "anand", "vinod"}
	inFather = []string{"rajan", "subramaniam", "krishnan", "ramasamy", "murugan", "gopal", "nadarajah", "pillai",
		"arumugam", "maniam", "velu", "sinnasamy", "perumal", "kandasamy", "shanmugam", "periasamy"}
)

// Naming traditions, for "unrelated but alike" pairs.
const (
	tradMalayMale = iota
	tradMalayFemale
	tradChinese
	tradIndian
	numTraditions
)

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// genName returns a normalised name of the tradition: lower-case tokens,
// connectors (bin, binti, a/l) already dropped, sorted, single spaces.
func genName(r *rand.Rand, trad int) string {
	var t []string
	switch trad {
	case tradMalayMale:
		t = append(t, pick(r, malayMale))
		if r.IntN(3) > 0 {
			t = append(t, pick(r, malayMale))
		}
		t = append(t, pick(r, malayFather))
		if r.IntN(3) == 0 {
			t = append(t, pick(r, malayFather))
		}
	case tradMalayFemale:
		t = append(t, pick(r, malayFemale))
		if r.IntN(3) > 0 {
			t = append(t, pick(r, malayFemale))
		}
		t = append(t, pick(r, malayFather))
		if r.IntN(3) == 0 {
			t = append(t, pick(r, malayFather))
		}
	case tradChinese:
		t = append(t, pick(r, cnSurname), pick(r, cnGiven), pick(r, cnGiven))
	case tradIndian:
		t = append(t, pick(r, inGiven), pick(r, inFather))
		if r.IntN(4) == 0 {
			t = append(t, pick(r, inGiven))
		}
	}
	return joinSorted(t)
}

func joinSorted(t []string) string {
	t = slices.DeleteFunc(t, func(s string) bool { return s == "" })
	slices.Sort(t)
	return strings.Join(t, " ")
}

// typo applies one random edit to one token: a substitution, deletion,
// insertion or transposition of adjacent letters.
func typo(r *rand.Rand, name string) string {
	t := strings.Fields(name)
	for {
		i := r.IntN(len(t))
		w := []byte(t[i])
		p := r.IntN(len(w))
		c := byte('a' + r.IntN(26))
		var out []byte
		switch r.IntN(4) {
		case 0:
			out = slices.Clone(w)
			out[p] = c
		case 1:
			if len(w) < 2 {
				continue // deleting the only letter drops a token
			}
			out = slices.Delete(slices.Clone(w), p, p+1)
		case 2:
			out = slices.Insert(slices.Clone(w), r.IntN(len(w)+1), c)
		case 3:
			if len(w) < 2 {
				continue
			}
			p = r.IntN(len(w) - 1)
			out = slices.Clone(w)
			out[p], out[p+1] = out[p+1], out[p]
		}
		if string(out) == t[i] {
			continue
		}
		t[i] = string(out)
		return joinSorted(t)
	}
}

// dropToken drops one token of a name of three or more tokens (a middle or
// second given name); ok is false for shorter names.
func dropToken(r *rand.Rand, name string) (string, bool) {
	t := strings.Fields(name)
	if len(t) < 3 {
		return "", false
	}
	i := r.IntN(len(t))
	return joinSorted(slices.Delete(t, i, i+1)), true
}
