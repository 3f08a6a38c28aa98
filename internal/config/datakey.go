package config

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/safetynet/safetynet/internal/dburl"
)

// Production tells whether this is a real deployment: SAFETYNET_ENV says so,
// or the database is on another machine. A development key file is then
// never made up, because data encrypted with a key that lives on one
// developer's disk would be lost with it.
func (c Config) Production() bool {
	if c.Env == "production" {
		return true
	}
	in, err := dburl.Parse(c.DatabaseURL)
	return err != nil || !in.Local
}

// DevKeyFile is where a development data key is kept: the user's own
// configuration directory, outside any checkout, so it is never committed
// and survives a fresh clone.
func DevKeyFile(configDir string) string {
	return filepath.Join(configDir, "safetynet", "dev-data-key")
}

// EnsureDataKey fills in DataKey when SAFETYNET_DATA_KEY is not set.
// In production it refuses (an error naming the variable). Locally it reads
// the development key file under configDir, creating it (0600) with a fresh
// random key the first time; created tells whether it did.
func (c *Config) EnsureDataKey(configDir string) (created bool, err error) {
	if len(c.DataKey) > 0 {
		return false, nil
	}
	if c.Production() {
		why := "SAFETYNET_ENV is production"
		if c.Env != "production" {
			why = "the database is not on this machine"
		}
		return false, fmt.Errorf("SAFETYNET_DATA_KEY: required in production (%s); "+
			"set it to 32 random bytes in base64 (head -c 32 /dev/urandom | base64) and keep it safe: "+
			"without it no stored ID number or phone can be read", why)
	}
	if configDir == "" {
		return false, errors.New("SAFETYNET_DATA_KEY: not set, and no user configuration directory to keep a development key in")
	}
	path := DevKeyFile(configDir)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return false, fmt.Errorf("development data key: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return false, fmt.Errorf("development data key: %w", err)
		}
		// O_EXCL: two processes starting together must not each write a key
		// and encrypt with different ones; the loser reads the winner's.
		f, ferr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if ferr == nil {
			_, werr := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				return false, fmt.Errorf("development data key %s: %w", path, werr)
			}
			c.DataKey, c.DataKeyFile = key, path
			return true, nil
		}
		if !errors.Is(ferr, fs.ErrExist) {
			return false, fmt.Errorf("development data key: %w", ferr)
		}
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return false, fmt.Errorf("development data key: %w", err)
	}
	key, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if derr != nil || len(key) != 32 {
		return false, fmt.Errorf("development data key %s: not 32 bytes in base64; remove it to make a new one "+
			"(personal data stored with it can then no longer be read)", path)
	}
	c.DataKey, c.DataKeyFile = key, path
	return false, nil
}
