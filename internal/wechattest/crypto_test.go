package wechattest

import (
	"testing"

	"github.com/silenceper/wechat/v2/util"
	"github.com/stretchr/testify/require"
)

// The stand-in's safe-mode crypto is written from the protocol; the SDK's
// is another implementation of it. Each must read what the other wrote.
func TestCryptoAgreesWithTheSDK(t *testing.T) {
	key, err := aesKey(DefaultAESKey)
	require.NoError(t, err)
	msg := []byte("<xml><Content><![CDATA[贵州农村低保标准是多少]]></Content></xml>")

	sealed, err := seal(key, DefaultAppID, msg)
	require.NoError(t, err)
	_, got, err := util.DecryptMsg(DefaultAppID, sealed, DefaultAESKey)
	require.NoError(t, err)
	require.Equal(t, msg, got)

	theirs, err := util.EncryptMsg([]byte("0123456789abcdef"), msg, DefaultAppID, DefaultAESKey)
	require.NoError(t, err)
	got, err = open(key, DefaultAppID, string(theirs))
	require.NoError(t, err)
	require.Equal(t, msg, got)
	_, err = open(key, "wxsomeoneelse", string(theirs))
	require.Error(t, err, "a message for another app id")

	require.Equal(t, util.Signature(DefaultToken, "1700000000", "42", sealed), sign(DefaultToken, "1700000000", "42", sealed))
}
