package wechattest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
)

// sign is WeChat's signature: SHA-1 over the sorted parts, concatenated.
func sign(parts ...string) string {
	p := append([]string(nil), parts...)
	sort.Strings(p)
	sum := sha1.Sum([]byte(strings.Join(p, "")))
	return hex.EncodeToString(sum[:])
}

// aesKey decodes the 43-character EncodingAESKey.
func aesKey(encodingKey string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(encodingKey + "=")
	if err != nil || len(k) != 32 {
		return nil, errors.New("EncodingAESKey must be 43 characters of base64 for 32 bytes")
	}
	return k, nil
}

// seal encrypts a message the way WeChat's safe mode does: 16 random
// bytes, the message length (4 bytes, big-endian), the message and the
// app id, padded PKCS#7 to 32 bytes, AES-256-CBC with the key's first 16
// bytes as IV, in base64.
func seal(key []byte, appID string, msg []byte) (string, error) {
	var buf bytes.Buffer
	random := make([]byte, 16)
	_, _ = rand.Read(random)
	buf.Write(random)
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(msg)))
	buf.Write(n[:])
	buf.Write(msg)
	buf.WriteString(appID)
	pad := 32 - buf.Len()%32
	buf.Write(bytes.Repeat([]byte{byte(pad)}, pad))
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	out := make([]byte, buf.Len())
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, buf.Bytes())
	return base64.StdEncoding.EncodeToString(out), nil
}

// open reverses seal and checks the app id.
func open(key []byte, appID, sealed string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(raw) == 0 || len(raw)%aes.BlockSize != 0 {
		return nil, errors.New("encrypted message: not base64 of whole AES blocks")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(plain, raw)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > 32 || pad > len(plain) {
		return nil, errors.New("encrypted message: bad padding")
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, errors.New("encrypted message: too short")
	}
	n := int(binary.BigEndian.Uint32(plain[16:20]))
	if 20+n > len(plain) {
		return nil, errors.New("encrypted message: bad length")
	}
	if string(plain[20+n:]) != appID {
		return nil, errors.New("encrypted message: for another app id")
	}
	return plain[20 : 20+n], nil
}
