package intake

// Limits bound what reading one sample may cost, whatever the input. The
// zero value of a field means its default.
type Limits struct {
	// MaxRecordBytes caps one line or one record (a CSV row with its
	// embedded newlines, a JSON object, an SQL tuple). Default 1 MiB: no
	// genuine row of personal data comes near it, and a longer one is either
	// junk or an attack on memory.
	MaxRecordBytes int
	// MaxColumns caps the distinct column names of one input. Default 512.
	MaxColumns int
	// MaxEntries caps the entries of a zip archive. Default 64.
	MaxEntries int
	// MaxUnpacked caps the bytes unpacked from a container, all entries
	// together. Default 8 GiB.
	MaxUnpacked int64
	// MaxRatio caps unpacked/packed size of a compressed stream once more
	// than 1 MiB is unpacked. Default 200: text compresses about 5-20x, a
	// zip bomb 1000x and more.
	MaxRatio int64
	// MaxDepth caps the nesting of a JSON record. Default 8.
	MaxDepth int
}

func (l Limits) withDefaults() Limits {
	if l.MaxRecordBytes <= 0 {
		l.MaxRecordBytes = 1 << 20
	}
	if l.MaxColumns <= 0 {
		l.MaxColumns = 512
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = 64
	}
	if l.MaxUnpacked <= 0 {
		l.MaxUnpacked = 8 << 30
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = 200
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 8
	}
	return l
}
