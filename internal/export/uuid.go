package export

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
)

// namespace is semak's fixed UUIDv5 namespace. Every id an export makes
// (STIX objects, MISP events and attributes) is a UUIDv5 of a name in it,
// so exporting the same posting again gives the same ids. Never change it.
var namespace = [16]byte{0x06, 0x6f, 0xb8, 0xea, 0x96, 0xca, 0x4a, 0xb4, 0x87, 0x59, 0x55, 0xd2, 0x85, 0x62, 0x05, 0x22}

// uuid5 returns the RFC 9562 version-5 UUID of name in semak's namespace.
func uuid5(name string) string {
	h := sha1.New()
	h.Write(namespace[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// normName is the key under which names are shared: case-folded, with
// white space collapsed ("  PERKESO " and "perkeso" are one identity).
func normName(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}
