// Package keyring keeps the per-source secret keys under which a DPO's
// snapshot fields are fingerprinted (HMAC-SHA-256), apart from everything
// else semak stores.
//
// # What it protects against
//
// A fingerprint file holds, for each record, keyed hashes of its normalised
// fields. Without the key those hashes reveal nothing: an attacker who steals
// the fingerprint files, the metadata store or a backup of either cannot test
// a guess against them. That matters because the values themselves are small
// spaces. A MyKad number has about 3×10^10 possible values (a valid date,
// one of a few dozen place-of-birth codes, four digits); an unkeyed SHA-256
// of every one of them is a few minutes of GPU time, so an unkeyed
// fingerprint file would be the plaintext. Keying with a 32-byte random
// per-source secret makes that search impossible, and keying per source
// means two sources' fingerprints cannot be joined by someone who has only
// the files.
//
// With a passphrase (SEMAK_KEYRING_PASSPHRASE) the key files are also sealed
// at rest: the passphrase is stretched with argon2id into a key-encryption
// key and each source key is sealed with XChaCha20-Poly1305, its source id
// bound as associated data, so a copy of the key directory alone (a backup,
// a stolen disk) is not enough either, and a key file renamed to stand for
// another source fails to open instead of silently keying the wrong data.
//
// # What it does not protect against
//
// An attacker who has the key directory and the passphrase (or the raw,
// unsealed key directory) has the keys, and with them and the fingerprint
// files can brute-force the fields as if no key were used. So can anyone who
// controls the running semak process, which holds the key-encryption key in
// memory. An unsealed keyring does not detect a key file renamed to another
// source. The keyring does not rate-limit, audit or authorise its callers:
// that is the job of the layers above.
//
// # Rules it enforces
//
// Key bytes leave this package only inside an HMAC ([Key.NewHMAC]); every
// way of printing, logging or marshalling a [Key] gives "[redacted]", and no
// error message carries key material. The directory must be mode 0700 and
// every file in it 0600; Open refuses anything looser and says which path
// to chmod.
//
// # On disk
//
//	dir/keyring.json      format version, sealed or not, argon2id parameters
//	                      and salt, sealed check value (mode 0600)
//	dir/ORG.SOURCE.key    one per source: 32 raw bytes, or, when sealed,
//	                      a 24-byte nonce followed by the 48-byte sealed key
//
// Files are written to a temporary name in dir, fsynced, linked into place
// (never replacing an existing key) and the directory fsynced, so a crash
// leaves either the whole key or none.
package keyring
