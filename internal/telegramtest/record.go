package telegramtest

import (
	"context"
	"fmt"
)

// Sent is every message the server accepted, in order.
func (s *Server) Sent() []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SentMessage(nil), s.sent...)
}

// SentTo is the messages accepted for one chat, in order.
func (s *Server) SentTo(chatID int64) []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatID]; c != nil {
		return append([]SentMessage(nil), c.sent...)
	}
	return nil
}

// Message is the bot's message as it stands now, after edits; false if the
// bot never sent it or deleted it.
func (s *Server) Message(chatID int64, messageID int) (SentMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return SentMessage{}, false
	}
	m := c.msgs[messageID]
	if m == nil || !m.fromBot || m.deleted {
		return SentMessage{}, false
	}
	return SentMessage{
		ChatID: chatID, MessageID: messageID, Text: m.text, ParseMode: m.parseMode, ReplyMarkup: m.markup,
	}, true
}

// Actions is the chat actions ("typing", ...) the bot sent to a chat.
func (s *Server) Actions(chatID int64) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatID]; c != nil {
		return append([]string(nil), c.actions...)
	}
	return nil
}

// Deleted is the IDs of messages deleted in a chat.
func (s *Server) Deleted(chatID int64) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatID]; c != nil {
		return append([]int(nil), c.deleted...)
	}
	return nil
}

// Answered is every accepted answerCallbackQuery, in order.
func (s *Server) Answered() []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CallbackAnswer(nil), s.answered...)
}

// Edits is every accepted message edit, in order.
func (s *Server) Edits() []Edit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Edit(nil), s.edits...)
}

// Rejected is every call the server refused, in order.
func (s *Server) Rejected() []Rejection {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Rejection(nil), s.rejected...)
}

// WaitFor blocks until cond returns true or ctx ends. cond is evaluated
// now and after every change the server records (a message, an edit, an
// answer, a rejection, a webhook delivery); it may call the Server's
// accessors.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closing:
			return fmt.Errorf("telegramtest: server closed")
		}
	}
}

// WaitForMessages waits until the bot has sent at least n messages to
// chatID and returns all messages sent to it so far (n or more).
func (s *Server) WaitForMessages(ctx context.Context, chatID int64, n int) ([]SentMessage, error) {
	return s.WaitForNew(ctx, chatID, 0, n)
}

// WaitForNew waits until at least n messages were sent to the chat after
// the message with id after (0: from the start), and returns all of those.
// Message ids grow within a chat, so an id is a cursor.
func (s *Server) WaitForNew(ctx context.Context, chatID int64, after, n int) ([]SentMessage, error) {
	var got []SentMessage
	err := s.WaitFor(ctx, func() bool {
		got = s.sentAfter(chatID, after)
		return len(got) >= n
	})
	if err != nil {
		got = s.sentAfter(chatID, after)
		return got, fmt.Errorf("wait for %d new messages to chat %d (have %d): %w", n, chatID, len(got), err)
	}
	return got, nil
}

func (s *Server) sentAfter(chatID int64, after int) []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	var out []SentMessage
	for _, m := range c.sent {
		if m.MessageID > after {
			out = append(out, m)
		}
	}
	return out
}

// readCursor and markRead keep where the control API's reader of a chat
// stopped, so `sent?wait=N` means N messages the reader has not seen.
func (s *Server) readCursor(chatID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatID]; c != nil {
		return c.read
	}
	return 0
}

func (s *Server) markRead(chatID int64, msgs []SentMessage) {
	if len(msgs) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatID]; c != nil {
		c.read = max(c.read, msgs[len(msgs)-1].MessageID)
	}
}

// WaitForAnswers waits until at least n callback queries were answered and
// returns all answers so far.
func (s *Server) WaitForAnswers(ctx context.Context, n int) ([]CallbackAnswer, error) {
	var got []CallbackAnswer
	err := s.WaitFor(ctx, func() bool {
		got = s.Answered()
		return len(got) >= n
	})
	if err != nil {
		return nil, fmt.Errorf("wait for %d callback answers (have %d): %w", n, len(got), err)
	}
	return got, nil
}

// WaitForEdits waits until at least n edits were made in chatID and
// returns that chat's edits so far.
func (s *Server) WaitForEdits(ctx context.Context, chatID int64, n int) ([]Edit, error) {
	var got []Edit
	err := s.WaitFor(ctx, func() bool {
		got = got[:0]
		for _, e := range s.Edits() {
			if e.ChatID == chatID {
				got = append(got, e)
			}
		}
		return len(got) >= n
	})
	if err != nil {
		return nil, fmt.Errorf("wait for %d edits in chat %d (have %d): %w", n, chatID, len(got), err)
	}
	return got, nil
}
