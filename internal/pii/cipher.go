package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrNoKey means personal data would be stored without SAFETYNET_DATA_KEY.
var ErrNoKey = errors.New("SAFETYNET_DATA_KEY is not set: personal data (ID numbers, phones) is never stored unencrypted; " +
	"set it to 32 random bytes in base64 (head -c 32 /dev/urandom | base64)")

// Vault encrypts personal data with AES-256-GCM and derives look-up hashes.
// The encryption key and the hashing key are derived separately from the
// data key, so a leaked hash index reveals nothing about the ciphertexts.
type Vault struct {
	aead    cipher.AEAD
	hashKey []byte
}

// NewVault builds a Vault from the 32-byte data key; a nil key is ErrNoKey.
func NewVault(key []byte) (*Vault, error) {
	if len(key) == 0 {
		return nil, ErrNoKey
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("SAFETYNET_DATA_KEY: must be 32 bytes, is %d", len(key))
	}
	block, err := aes.NewCipher(derive(key, "safetynet/encrypt/v1"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Vault{aead: aead, hashKey: derive(key, "safetynet/lookup/v1")}, nil
}

func derive(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// Seal encrypts plaintext; the record's context (say, "national_id" and the
// household id) is bound as additional data, so a ciphertext copied to
// another row or column does not decrypt.
func (v *Vault) Seal(plaintext, context string) []byte {
	nonce := make([]byte, v.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("pii: no randomness: " + err.Error())
	}
	return v.aead.Seal(nonce, nonce, []byte(plaintext), []byte(context))
}

// Open decrypts what Seal produced with the same context.
func (v *Vault) Open(sealed []byte, context string) (string, error) {
	n := v.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("pii: ciphertext too short")
	}
	pt, err := v.aead.Open(nil, sealed[:n], sealed[n:], []byte(context))
	if err != nil {
		return "", fmt.Errorf("pii: decrypt: %w", err)
	}
	return string(pt), nil
}

// LookupHash is a keyed hash of a value for equality look-ups (find a
// household by its ID number) without storing the number in the clear.
func (v *Vault) LookupHash(kind, value string) string {
	m := hmac.New(sha256.New, v.hashKey)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}
