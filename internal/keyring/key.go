package keyring

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"log/slog"
)

// KeySize is the length of a source key in bytes.
const KeySize = 32

const redacted = "[redacted]"

// Key is one source's secret. Its String, GoString, Format, LogValue,
// MarshalJSON and MarshalText all give "[redacted]".
//
// The bytes are captured by a closure, out of reach of reflection: a Key in
// an unexported struct field, which fmt (or a dumper such as go-spew) prints
// by reflection without calling any method, shows a function address rather
// than 32 bytes. The pointer keeps Key comparable. The zero Key holds no
// secret; NewHMAC panics on it rather than hash under an all-zero key.
type Key struct{ m *material }

type material struct{ bytes func() *[KeySize]byte }

// newKey takes ownership of b.
func newKey(b *[KeySize]byte) Key {
	return Key{m: &material{bytes: func() *[KeySize]byte { return b }}}
}

// NewHMAC returns hmac.New(sha256.New, key): the only way key bytes are used.
func (k Key) NewHMAC() hash.Hash {
	if k.m == nil {
		panic("keyring: NewHMAC on the zero Key (use a Key from Keyring.Create or Keyring.Get)")
	}
	return hmac.New(sha256.New, k.m.bytes()[:])
}

func (k Key) String() string   { return redacted }
func (k Key) GoString() string { return redacted }

// Format makes every fmt verb (%v %+v %#v %s %q %x %X %d ...) print "[redacted]".
func (k Key) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

func (k Key) LogValue() slog.Value         { return slog.StringValue(redacted) }
func (k Key) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
func (k Key) MarshalText() ([]byte, error) { return []byte(redacted), nil }
