package normalize

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"testing"
)

// The inputs mix the shapes seen in real samples, clean and dirty, with a
// few rejects, roughly in the proportions they turn up.
var (
	benchPhones = []string{
		"+60123456789", "012-3456789", "0123456789", "+60 12-345 6789", "60123456789",
		"011-2345 6789", "(03) 2123 4567", "'0198765432", "+62 812-3456-7890", "123456789",
		"04-123 4567", "082-123456", "0000000", "012 345 6789",
	}
	benchNames = []string{
		"AHMAD BIN ABDULLAH", "abdullah ahmad", "Siti Nurhaliza binti Tarudin", "Tan Ah Kow",
		"Muthu a/l Rajan", "LEE CHONG WEI", "Nur Aisyah Bt. Mohd Yusof", "Dato' Sri Mohd Najib",
		"Wong Mei Ling", "Ahmad\u00a0bin Abdullah", "Kumar s/o Subramaniam", "MOHD FAIZAL B ISMAIL",
	}
	benchDates = []string{
		"1985-01-01", "01/01/1985", "1985-01-01 00:00:00", "15-08-1990", "2/1/06", "19900815",
		"15 Ogos 1990", "Aug 15, 1990", "31.12.1979", "2006-01-02T15:04:05Z", "31/02/2006",
	}
	benchICs = []string{
		"850101-14-5673", "850101145673", "900815 10 5234", "'750312086628", "010229-10-1234",
		"880808-71-5002", "850101-00-5673", "9008151052",
	}
)

func benchStrings(b *testing.B, in []string, f func(string) (string, error)) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _ = f(in[i%len(in)])
		i++
	}
}

func BenchmarkPhone(b *testing.B) { benchStrings(b, benchPhones, newN("MY").Phone) }
func BenchmarkName(b *testing.B)  { benchStrings(b, benchNames, newN("MY").Name) }
func BenchmarkDate(b *testing.B)  { benchStrings(b, benchDates, newN("MY").Date) }
func BenchmarkMyKad(b *testing.B) {
	n := newN("MY")
	benchStrings(b, benchICs, func(s string) (string, error) { k, err := n.MyKad(s); return k.Number, err })
}

func BenchmarkEmail(b *testing.B) {
	benchStrings(b, []string{"ahmad@example.com", "Siti.Aminah@Gmail.com", " mailto:a@b.co "}, newN("").Email)
}

func BenchmarkAddress(b *testing.B) {
	n := newN("")
	benchStrings(b, []string{"No. 12, Jln Bukit Bintang, 55100 Kuala Lumpur", "12-3A, Tmn Melawati, 53100 KL"},
		func(s string) (string, error) { a, err := n.Address(s); return a.Text, err })
}

// benchCSV is an 8-column export of 20,000 rows.
func benchCSV() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"ic", "name", "phone", "email", "dob", "gender", "postcode", "state"})
	for i := range 20000 {
		_ = w.Write([]string{
			benchICs[i%len(benchICs)], benchNames[i%len(benchNames)], benchPhones[i%len(benchPhones)],
			fmt.Sprintf("user%d@Example.com", i), benchDates[i%len(benchDates)],
			[]string{"M", "F", "Lelaki", "Perempuan"}[i%4], fmt.Sprintf("%05d", 10000+i%80000),
			[]string{"Selangor", "KL", "Johor", "Pulau Pinang", "Jawa Barat"}[i%5],
		})
	}
	w.Flush()
	return buf.Bytes()
}

// BenchmarkCSVRead and BenchmarkCSVNormalize measure the project's goal:
// reading and normalising an export within 3x of reading it alone.
func BenchmarkCSVRead(b *testing.B) {
	data := benchCSV()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r := csv.NewReader(bytes.NewReader(data))
		r.ReuseRecord = true
		for {
			if _, err := r.Read(); err == io.EOF {
				break
			}
		}
	}
}

func BenchmarkCSVNormalize(b *testing.B) {
	data := benchCSV()
	n := newN("MY")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r := csv.NewReader(bytes.NewReader(data))
		r.ReuseRecord = true
		header, _ := r.Read()
		header = append([]string(nil), header...)
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			for i, v := range rec {
				_, _ = n.Field(header[i], v)
			}
		}
	}
}
