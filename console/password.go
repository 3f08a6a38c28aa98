package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: OWASP's recommended floor (19 MiB, 2 passes, 1 lane).
// They are stored with each hash, so raising them later keeps old hashes valid.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

var errBadHash = errors.New("password hash: not an argon2id hash")

// hashPassword returns the PHC string of an argon2id hash of password.
func hashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// verifyPassword checks password against a PHC argon2id string in constant
// time, with the parameters the hash was made with.
func verifyPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// argonSlots bounds how many argon2 computations run at once. Each takes
// argonMemory of RAM and a core for a while; a burst of parallel sign-ins
// (an attack, or a script) must queue here rather than take the server's
// memory (100 at once took 2 GB). One per core keeps the cores busy and no
// more.
var argonSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

// verifyPasswordCtx is verifyPassword in one of argonSlots, waiting for a
// slot no longer than the request lives.
func verifyPasswordCtx(ctx context.Context, encoded, password string) (bool, error) {
	select {
	case argonSlots <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-argonSlots }()
	return verifyPassword(encoded, password)
}

// dummyHash is verified against when a name is unknown, so that a login for
// a missing account takes as long as one for a real one.
var dummyHash = func() string {
	h, err := hashPassword("not a password anyone has")
	if err != nil {
		panic(err)
	}
	return h
}()
