package mail_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"mime"
	"net"
	netmail "net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cradle-sdl/cradle/mail"
	"github.com/cradle-sdl/cradle/mail/smtptest"
)

// sender returns a Sender for s that trusts its certificate.
func sender(s *smtptest.Server, tlsMode mail.TLSMode) *mail.Sender {
	return &mail.Sender{
		Host:      s.Host(),
		Port:      s.Port(),
		TLS:       tlsMode,
		From:      "bounces@acme.example",
		HeloName:  "cradle.acme.example",
		Timeout:   10 * time.Second,
		TLSConfig: &tls.Config{RootCAs: s.RootCAs()},
	}
}

func TestSendSTARTTLSAuth(t *testing.T) {
	s := smtptest.Start(t, smtptest.WithSTARTTLS(), smtptest.WithAuth("cradle", "s3cret"))
	snd := sender(s, mail.TLSStartTLS)
	snd.Username, snd.Password = "cradle", "s3cret"
	m := advisory()
	if err := snd.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := s.Wait(1, 5*time.Second)[0]
	if !got.TLS || got.Username != "cradle" {
		t.Errorf("received TLS=%v user=%q, want TLS and user cradle", got.TLS, got.Username)
	}
	if got.From != "bounces@acme.example" {
		t.Errorf("envelope from = %q, want Sender.From", got.From)
	}
	if diff := cmp.Diff([]string{"j.mueller@kunde.example", "ops@other.example"}, got.To); diff != "" {
		t.Errorf("envelope recipients (-want +got):\n%s", diff)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("received subject %q, %v; want %q", subject, err, m.Subject)
	}
	if id := msg.Header.Get("Message-Id"); id != "<acme-sa-2026-001.1@acme.example>" {
		t.Errorf("received Message-ID %q", id)
	}
	if from := msg.Header.Get("From"); from != `"Acme PSIRT" <psirt@acme.example>` {
		t.Errorf("received From %q: the message's From must win over Sender.From", from)
	}

	// STARTTLS came before the credentials.
	cmds := s.Commands()
	tlsAt, authAt := slices.Index(cmds, "STARTTLS"), slices.Index(cmds, "AUTH PLAIN <redacted>")
	if tlsAt < 0 || authAt < tlsAt {
		t.Errorf("commands %q: want STARTTLS before AUTH PLAIN", cmds)
	}
}

// TestSendDotStuffing sends a text whose lines start with dots, one of them
// a lone dot that would end DATA if it were not stuffed, and checks that the
// server received exactly the message's bytes.
func TestSendDotStuffing(t *testing.T) {
	s := smtptest.Start(t)
	m := mail.Message{
		From:      "psirt@acme.example",
		To:        []string{"a@kunde.example"},
		Subject:   "dots",
		Text:      "first\n.\n.hidden\n..two\nlast line\n",
		MessageID: "dots@acme.example",
		Date:      time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	want, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(want, []byte("\r\n.\r\n.hidden\r\n..two\r\n")) {
		t.Fatalf("the message does not have the dotted lines this test needs:\n%s", want)
	}
	snd := sender(s, mail.TLSNone)
	if err := snd.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := s.Wait(1, 5*time.Second)[0]
	if !bytes.Equal(got.Data, want) {
		t.Errorf("received:\n%q\nwant:\n%q", got.Data, want)
	}
}

// TestSendErrors checks the classification an outbox retries by.
func TestSendErrors(t *testing.T) {
	tests := []struct {
		name      string
		stage     smtptest.Stage
		code      int
		wantStage string
		permanent bool
	}{
		{"rcpt 451", smtptest.StageRcpt, 451, "rcpt to", false},
		{"rcpt 550", smtptest.StageRcpt, 550, "rcpt to", true},
		{"rcpt 552 is temporary (RFC 5321 4.5.3.1.10)", smtptest.StageRcpt, 552, "rcpt to", false},
		{"mail 421", smtptest.StageMail, 421, "mail from", false},
		{"mail 553", smtptest.StageMail, 553, "mail from", true},
		{"data 451", smtptest.StageData, 451, "data", false},
		{"data 554", smtptest.StageData, 554, "data", true},
		{"after data 451", smtptest.StageMessage, 451, "data", false},
		{"after data 552", smtptest.StageMessage, 552, "data", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := smtptest.Start(t, smtptest.WithSTARTTLS(), smtptest.WithAuth("cradle", "s3cret"))
			snd := sender(s, mail.TLSStartTLS)
			snd.Username, snd.Password = "cradle", "s3cret"
			s.Fail(tt.stage, tt.code, "x.y.z injected")
			err := snd.Send(context.Background(), advisory())
			var e *mail.Error
			if !errors.As(err, &e) {
				t.Fatalf("Send = %v, want *mail.Error", err)
			}
			if e.Code != tt.code || e.Stage != tt.wantStage || mail.IsPermanent(err) != tt.permanent {
				t.Errorf("Send = %v (stage %q code %d permanent %v), want stage %q code %d permanent %v",
					err, e.Stage, e.Code, mail.IsPermanent(err), tt.wantStage, tt.code, tt.permanent)
			}
			if n := len(s.Messages()); n != 0 {
				t.Errorf("server kept %d messages", n)
			}
			// The retry an outbox would make succeeds once the fault is gone.
			s.Fail(tt.stage, 0, "")
			if err := snd.Send(context.Background(), advisory()); err != nil {
				t.Fatalf("retry: %v", err)
			}
			s.Wait(1, 5*time.Second)
		})
	}
}

func TestSendWrongPassword(t *testing.T) {
	s := smtptest.Start(t, smtptest.WithSTARTTLS(), smtptest.WithAuth("cradle", "s3cret"))
	snd := sender(s, mail.TLSStartTLS)
	snd.Username, snd.Password = "cradle", "wrong"
	err := snd.Send(context.Background(), advisory())
	var e *mail.Error
	if !errors.As(err, &e) || e.Stage != "auth" || e.Code != 535 || !mail.IsPermanent(err) {
		t.Fatalf("Send = %v, want a permanent auth error with code 535", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("error %q shows the password", err)
	}
	if n := len(s.Messages()); n != 0 {
		t.Errorf("server kept %d messages", n)
	}
}

func TestSendNoAuthWhenServerRequiresIt(t *testing.T) {
	s := smtptest.Start(t, smtptest.WithSTARTTLS(), smtptest.WithAuth("cradle", "s3cret"))
	err := sender(s, mail.TLSStartTLS).Send(context.Background(), advisory())
	var e *mail.Error
	if !errors.As(err, &e) || e.Code != 530 || !mail.IsPermanent(err) {
		t.Fatalf("Send = %v, want permanent 530", err)
	}
}

// TestSendRefusesPlainText checks that credentials never travel in plain
// text: STARTTLS missing on the server, and TLS "none" to a remote host.
func TestSendRefusesPlainText(t *testing.T) {
	t.Run("server without STARTTLS", func(t *testing.T) {
		s := smtptest.Start(t, smtptest.WithAuth("cradle", "s3cret"))
		snd := sender(s, mail.TLSStartTLS)
		snd.Username, snd.Password = "cradle", "s3cret"
		err := snd.Send(context.Background(), advisory())
		var e *mail.Error
		if !errors.As(err, &e) || e.Stage != "starttls" || !mail.IsPermanent(err) {
			t.Fatalf("Send = %v, want a permanent starttls error", err)
		}
		for _, c := range s.Commands() {
			if strings.HasPrefix(c, "AUTH") || strings.HasPrefix(c, "MAIL") {
				t.Errorf("client sent %q without TLS", c)
			}
		}
	})
	t.Run("tls none to a remote host", func(t *testing.T) {
		snd := &mail.Sender{Host: "smtp.acme.example", TLS: mail.TLSNone, Username: "cradle", Password: "s3cret"}
		err := snd.Send(context.Background(), advisory())
		var e *mail.Error
		if !errors.As(err, &e) || e.Stage != "config" || !mail.IsPermanent(err) || !strings.Contains(err.Error(), "plain text") {
			t.Fatalf("Send = %v, want a permanent config error about plain text", err)
		}
	})
	t.Run("tls none to localhost", func(t *testing.T) {
		s := smtptest.Start(t, smtptest.WithAuth("cradle", "s3cret"))
		snd := sender(s, mail.TLSNone)
		snd.Username, snd.Password = "cradle", "s3cret"
		if err := snd.Send(context.Background(), advisory()); err != nil {
			t.Fatal(err)
		}
		if got := s.Wait(1, 5*time.Second)[0]; got.TLS || got.Username != "cradle" {
			t.Errorf("received TLS=%v user=%q, want plain text and user cradle", got.TLS, got.Username)
		}
	})
}

func TestSendUntrustedCertificate(t *testing.T) {
	s := smtptest.Start(t, smtptest.WithSTARTTLS())
	snd := sender(s, mail.TLSStartTLS)
	snd.TLSConfig = nil // system roots do not know the test certificate
	err := snd.Send(context.Background(), advisory())
	var e *mail.Error
	if !errors.As(err, &e) || e.Stage != "starttls" || !mail.IsPermanent(err) {
		t.Fatalf("Send = %v, want a permanent starttls error", err)
	}
}

func TestSendCancel(t *testing.T) {
	s := smtptest.Start(t)
	s.Stall(smtptest.StageRcpt)
	snd := sender(s, mail.TLSNone)
	snd.Timeout = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := snd.Send(ctx, advisory())
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("Send returned after %v, long after the cancel", elapsed)
	}
	if !errors.Is(err, context.Canceled) || mail.IsPermanent(err) {
		t.Fatalf("Send = %v, want a temporary error wrapping context.Canceled", err)
	}
	var e *mail.Error
	if !errors.As(err, &e) || e.Stage != "rcpt to" {
		t.Errorf("Send = %v, want stage rcpt to", err)
	}
}

func TestSendTimeout(t *testing.T) {
	s := smtptest.Start(t)
	s.Stall(smtptest.StageData)
	snd := sender(s, mail.TLSNone)
	snd.Timeout = 200 * time.Millisecond
	err := snd.Send(context.Background(), advisory())
	if !errors.Is(err, context.DeadlineExceeded) || mail.IsPermanent(err) {
		t.Fatalf("Send = %v, want a temporary error wrapping context.DeadlineExceeded", err)
	}
}

func TestSendCancelledBeforeDial(t *testing.T) {
	s := smtptest.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := sender(s, mail.TLSNone).Send(ctx, advisory())
	if !errors.Is(err, context.Canceled) || mail.IsPermanent(err) {
		t.Fatalf("Send = %v, want a temporary error wrapping context.Canceled", err)
	}
}

func TestSendConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	snd := &mail.Sender{Host: "127.0.0.1", Port: port, TLS: mail.TLSNone, Timeout: 5 * time.Second}
	err = snd.Send(context.Background(), advisory())
	var e *mail.Error
	if !errors.As(err, &e) || e.Stage != "dial" || mail.IsPermanent(err) {
		t.Fatalf("Send = %v, want a temporary dial error", err)
	}
}

func TestSendConfig(t *testing.T) {
	tests := []struct {
		name string
		snd  mail.Sender
		want string
	}{
		{"no host", mail.Sender{}, "no host"},
		{"bad tls", mail.Sender{Host: "h", TLS: "ssl"}, `tls "ssl"`},
		{"password only", mail.Sender{Host: "h", Password: "p"}, "password without username"},
		{"helo injection", mail.Sender{Host: "h", HeloName: "x\r\nMAIL FROM:<a@b>"}, "helo name"},
		{"NUL in username", mail.Sender{Host: "h", Username: "a\x00b", Password: "p"}, "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.snd.Send(context.Background(), advisory())
			if err == nil || !strings.Contains(err.Error(), tt.want) || !mail.IsPermanent(err) {
				t.Fatalf("Send = %v, want a permanent error containing %q", err, tt.want)
			}
		})
	}
}

func TestSendInvalidMessage(t *testing.T) {
	s := smtptest.Start(t)
	m := advisory()
	m.Subject = "Hi\r\nBcc: victim@example.com"
	err := sender(s, mail.TLSNone).Send(context.Background(), m)
	if !errors.Is(err, mail.ErrInvalidMessage) || !mail.IsPermanent(err) {
		t.Fatalf("Send = %v, want a permanent ErrInvalidMessage", err)
	}
	if cmds := s.Commands(); len(cmds) != 0 {
		t.Errorf("Send talked to the server about an invalid message: %q", cmds)
	}
}

func TestSendFromDefault(t *testing.T) {
	s := smtptest.Start(t)
	snd := sender(s, mail.TLSNone)
	snd.From = "Acme PSIRT <psirt@acme.example>"
	m := advisory()
	m.From = ""
	if err := snd.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := s.Wait(1, 5*time.Second)[0]
	msg, err := netmail.ReadMessage(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	if got.From != "psirt@acme.example" || msg.Header.Get("From") != `"Acme PSIRT" <psirt@acme.example>` {
		t.Errorf("envelope %q, header %q: want both from Sender.From", got.From, msg.Header.Get("From"))
	}
}

func TestIsPermanent(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("something"), false},
		{context.Canceled, false},
		{&mail.Error{Stage: "rcpt to", Code: 550, Permanent: true, Err: errors.New("550")}, true},
		{&mail.Error{Stage: "rcpt to", Code: 451, Err: errors.New("451")}, false},
	} {
		if got := mail.IsPermanent(tt.err); got != tt.want {
			t.Errorf("IsPermanent(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
