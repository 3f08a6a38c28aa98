package chat_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/chat"
)

// echo is a Sender that says which channel it is; the router's choice
// shows in the id.
type echo string

func (e echo) Send(_ context.Context, to chat.Address, _ chat.Message) (string, error) {
	return string(e) + ":" + to.ID, nil
}

func TestRouterSendsOnTheAddressChannel(t *testing.T) {
	r := chat.Router{"telegram": echo("tg"), "wechat": echo("wx")}
	id, err := r.Send(context.Background(), chat.Address{Channel: "wechat", ID: "o1"}, chat.Message{Text: "x"})
	require.NoError(t, err)
	require.Equal(t, "wx:o1", id)

	_, err = r.Send(context.Background(), chat.Address{Channel: "sms", ID: "1"}, chat.Message{Text: "x"})
	require.ErrorIs(t, err, chat.ErrUnknownChannel)
	var perm *chat.PermanentError
	require.ErrorAs(t, err, &perm, "retrying an unknown channel cannot help")
}

func TestAddressValidateNamesTheField(t *testing.T) {
	require.ErrorContains(t, chat.Address{ID: "1"}.Validate(), "channel")
	require.ErrorContains(t, chat.Address{Channel: "web"}.Validate(), "id")
	require.NoError(t, chat.Address{Channel: "web", ID: "1"}.Validate())
	require.True(t, chat.Address{Channel: "web"}.IsZero())
}

func TestChoicesInReadingOrder(t *testing.T) {
	m := chat.Message{Buttons: [][]chat.Button{{{Text: "a", Data: "1"}, {Text: "b", Data: "2"}}, {{Text: "c", Data: "3"}}}}
	var texts []string
	for _, b := range m.Choices() {
		texts = append(texts, b.Text)
	}
	require.Equal(t, []string{"a", "b", "c"}, texts)
}

func TestTypedErrorsUnwrap(t *testing.T) {
	cause := errors.New("connection reset")
	err := error(&chat.TransientError{Err: cause})
	require.ErrorIs(t, err, cause)
	var limited *chat.RateLimitedError
	require.False(t, errors.As(err, &limited))
}
