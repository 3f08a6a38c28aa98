package pii

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func validID(prefix17 string) string { return prefix17 + string(NationalIDCheckChar(prefix17)) }

func TestRedact(t *testing.T) {
	t.Parallel()
	id := validID("52010219800101123")
	cases := []struct{ in, want string }{
		{"我的身份证是" + id + "，帮我查查", "我的身份证是" + IDPlaceholder + "，帮我查查"},
		{"电话13812345678", "电话" + PhonePlaceholder},
		{"打 138-1234-5678 找我", "打 " + PhonePlaceholder + " 找我"},
		{"+86 13812345678", PhonePlaceholder},
		{"座机0851-86812345", "座机" + PhonePlaceholder},
		{"卡号6222021234567890123", "卡号" + CardPlaceholder},
		{"全角１３８１２３４５６７８", "全角" + PhonePlaceholder},
		{"贵州2020年农村低保标准4500元", "贵州2020年农村低保标准4500元"},
		{"每月1570元，家里5口人", "每月1570元，家里5口人"},
	}
	for _, c := range cases {
		require.Equal(t, c.want, Redact(c.in), c.in)
	}
	require.True(t, HasPersonalData("身份证 "+id))
	require.False(t, HasPersonalData("低保标准是多少"))
}

func TestValidateNationalID(t *testing.T) {
	t.Parallel()
	good := validID("52010219800101123")
	got, err := ValidateNationalID(strings.ToLower(good))
	require.NoError(t, err)
	require.Equal(t, good, got)

	bad := []string{
		good[:17] + string("10X98765432"[(strings.IndexByte("10X98765432", good[17])+1)%11]), // wrong check char
		"5201021980010112",           // short
		validID("52010219801301123"), // month 13
		"52010219800101A23X",
	}
	for _, b := range bad {
		_, err := ValidateNationalID(b)
		require.ErrorIs(t, err, ErrBadNationalID, b)
	}
}

func TestMasks(t *testing.T) {
	t.Parallel()
	require.Equal(t, "5201**********123X", MaskNationalID("520102198001011230"[:14]+"123X"))
	require.Equal(t, "138****5678", MaskPhone("13812345678"))
	require.Equal(t, "张**", MaskName("张三丰"))
}

func TestVault(t *testing.T) {
	t.Parallel()
	_, err := NewVault(nil)
	require.ErrorIs(t, err, ErrNoKey)

	key := bytes.Repeat([]byte{7}, 32)
	v, err := NewVault(key)
	require.NoError(t, err)
	sealed := v.Seal("520102198001011234", "national_id:H1")
	require.NotContains(t, string(sealed), "5201021980")
	pt, err := v.Open(sealed, "national_id:H1")
	require.NoError(t, err)
	require.Equal(t, "520102198001011234", pt)
	_, err = v.Open(sealed, "national_id:H2")
	require.Error(t, err, "ciphertext moved to another record must not open")

	require.Equal(t, v.LookupHash("id", "x"), v.LookupHash("id", "x"))
	require.NotEqual(t, v.LookupHash("id", "x"), v.LookupHash("phone", "x"))
	other, _ := NewVault(bytes.Repeat([]byte{8}, 32))
	require.NotEqual(t, v.LookupHash("id", "x"), other.LookupHash("id", "x"))
}

func FuzzRedact(f *testing.F) {
	f.Add("我的电话13812345678")
	f.Add("５２０１０２")
	f.Fuzz(func(t *testing.T, s string) {
		out := Redact(s)
		// Idempotent: redacting twice changes nothing more.
		require.Equal(t, out, Redact(out))
	})
}
