package config

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDevelopmentKeyMadeOnceAndReused(t *testing.T) {
	dir := t.TempDir()
	c, err := fromLookup(env(nil))
	require.NoError(t, err)
	require.False(t, c.Production())

	created, err := c.EnsureDataKey(dir)
	require.NoError(t, err)
	require.True(t, created)
	require.Len(t, c.DataKey, 32)
	require.Equal(t, DevKeyFile(dir), c.DataKeyFile)
	fi, err := os.Stat(c.DataKeyFile)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	again, err := fromLookup(env(nil))
	require.NoError(t, err)
	created, err = again.EnsureDataKey(dir)
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, c.DataKey, again.DataKey, "the same key next time, or stored data becomes unreadable")
}

func TestKeyFromEnvironmentWins(t *testing.T) {
	dir := t.TempDir()
	c, err := fromLookup(env(map[string]string{"SAFETYNET_DATA_KEY": "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="}))
	require.NoError(t, err)
	created, err := c.EnsureDataKey(dir)
	require.NoError(t, err)
	require.False(t, created)
	require.Empty(t, c.DataKeyFile)
	_, err = os.Stat(DevKeyFile(dir))
	require.True(t, os.IsNotExist(err), "no file made when a key is set")
}

func TestProductionRefusesWithoutKey(t *testing.T) {
	for name, m := range map[string]map[string]string{
		"SAFETYNET_ENV":   {"SAFETYNET_ENV": "production"},
		"remote database": {"DATABASE_URL": "postgres://app@db.bureau.example/safetynet"},
	} {
		c, err := fromLookup(env(m))
		require.NoError(t, err, name)
		require.True(t, c.Production(), name)
		dir := t.TempDir()
		_, err = c.EnsureDataKey(dir)
		require.Error(t, err, name)
		require.Contains(t, err.Error(), "SAFETYNET_DATA_KEY", name)
		_, serr := os.Stat(DevKeyFile(dir))
		require.True(t, os.IsNotExist(serr), "%s: no development key in production", name)
	}
	c, err := fromLookup(env(map[string]string{"DATABASE_URL": "postgres://postgres@/x?host=/var/run/postgresql"}))
	require.NoError(t, err)
	require.False(t, c.Production(), "a socket is this machine")
}

func TestBadDevelopmentKeyFileNamed(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(dir+"/safetynet", 0o700))
	require.NoError(t, os.WriteFile(DevKeyFile(dir), []byte("garbage\n"), 0o600))
	c, err := fromLookup(env(nil))
	require.NoError(t, err)
	_, err = c.EnsureDataKey(dir)
	require.ErrorContains(t, err, DevKeyFile(dir))
}

func TestUnknownEnvNamed(t *testing.T) {
	_, err := fromLookup(env(map[string]string{"SAFETYNET_ENV": "prod"}))
	require.ErrorContains(t, err, "SAFETYNET_ENV")
}
