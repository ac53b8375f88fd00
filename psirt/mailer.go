package psirt

import (
	"context"
	"fmt"
	"time"

	"github.com/cradle-sdl/cradle/mail"
	"github.com/cradle-sdl/cradle/store"
)

// Mailer sends the queued customer notifications through an SMTP server:
// each mail is claimed (so replicas never send it twice), sent, and marked
// delivered, retried with exponential back-off after a temporary failure,
// or given up after a permanent one or MaxAttempts.
type Mailer struct {
	DB     *store.DB
	Sender *mail.Sender
	// Backoff is the wait after the first failure, doubled each time up
	// to MaxBackoff. Defaults 1 min and 6 h; MaxAttempts default 10.
	Backoff, MaxBackoff time.Duration
	MaxAttempts         int
}

// DeliverDue sends the mails whose time has come.
func (m *Mailer) DeliverDue(ctx context.Context) (sent, failed int, err error) {
	backoff, maxBackoff, maxAttempts := m.Backoff, m.MaxBackoff, m.MaxAttempts
	if backoff <= 0 {
		backoff = time.Minute
	}
	if maxBackoff <= 0 {
		maxBackoff = 6 * time.Hour
	}
	if maxAttempts <= 0 {
		maxAttempts = 10
	}
	due, err := m.DB.DueMail(ctx, 50)
	if err != nil {
		return 0, 0, err
	}
	for i := range due {
		q := &due[i]
		wait := backoff << min(q.Attempts, 20)
		if wait > maxBackoff || wait <= 0 {
			wait = maxBackoff
		}
		ok, err := m.DB.ClaimMail(ctx, q, time.Now().Add(wait))
		if err != nil {
			return sent, failed, err
		}
		if !ok {
			continue
		}
		msg := mail.Message{To: []string{q.Mail.To}, Subject: q.Mail.Subject, Text: q.Mail.Text, HTML: q.Mail.HTML,
			MessageID: mail.NewMessageID(domainOf(m.Sender.From)), Date: time.Now()}
		if q.Mail.AttachName != "" {
			msg.Attachments = []mail.Attachment{{Filename: q.Mail.AttachName, ContentType: q.Mail.AttachType, Data: q.Mail.Attach}}
		}
		sendErr := m.Sender.Send(ctx, msg)
		if sendErr == nil {
			sent++
		} else {
			failed++
		}
		permanent := sendErr != nil && (mail.IsPermanent(sendErr) || q.Attempts >= maxAttempts)
		if err := m.DB.MailResult(ctx, q.ID, sendErr, permanent, time.Now().Add(wait)); err != nil {
			return sent, failed, fmt.Errorf("record mail result: %w", err)
		}
	}
	return sent, failed, nil
}

func domainOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == '@' {
			d := addr[i+1:]
			if n := len(d); n > 0 && d[n-1] == '>' {
				d = d[:n-1]
			}
			return d
		}
	}
	return "localhost"
}
