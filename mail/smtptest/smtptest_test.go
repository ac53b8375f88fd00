package smtptest_test

import (
	"crypto/tls"
	"encoding/base64"
	"net"
	"net/textproto"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cradle-sdl/cradle/mail/smtptest"
)

// client drives the server by hand, so the server is tested on its own and
// not only through net/smtp.
type client struct {
	t *testing.T
	*textproto.Conn
	raw net.Conn
}

func dial(t *testing.T, s *smtptest.Server) *client {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	cl := &client{t: t, Conn: textproto.NewConn(c), raw: c}
	t.Cleanup(func() { cl.Close() })
	cl.expect(220)
	return cl
}

// cmd sends line and checks the reply code.
func (c *client) cmd(want int, line string) string {
	c.t.Helper()
	if err := c.PrintfLine("%s", line); err != nil {
		c.t.Fatal(err)
	}
	return c.expect(want)
}

func (c *client) expect(want int) string {
	c.t.Helper()
	code, msg, err := c.ReadResponse(0)
	if err != nil && code == 0 {
		c.t.Fatalf("reading reply: %v", err)
	}
	if code != want {
		c.t.Fatalf("reply %d %s, want %d", code, msg, want)
	}
	return msg
}

func TestConversation(t *testing.T) {
	s := smtptest.Start(t)
	c := dial(t, s)
	c.cmd(503, "MAIL FROM:<a@acme.example>") // before EHLO
	c.cmd(250, "HELO client.example")
	c.cmd(250, "NOOP")
	c.cmd(503, "RCPT TO:<x@kunde.example>") // before MAIL
	c.cmd(250, "MAIL FROM:<first@acme.example>")
	c.cmd(250, "RCPT TO:<dropped@kunde.example>")
	c.cmd(250, "RSET")
	c.cmd(503, "DATA") // RSET ended the transaction
	c.cmd(500, "FOO bar")
	c.cmd(250, "MAIL FROM:<psirt@acme.example> BODY=8BITMIME")
	c.cmd(250, "RCPT TO:<a@kunde.example>")
	c.cmd(250, "RCPT TO:<b@kunde.example>")
	c.cmd(354, "DATA")
	// Written raw: the client side of dot-stuffing is what is tested here.
	if _, err := c.raw.Write([]byte("Subject: x\r\n\r\n..leading dot\r\n..\r\nmiddle . dot\r\n.\r\n")); err != nil {
		t.Fatal(err)
	}
	c.expect(250)
	c.cmd(221, "QUIT")

	got := s.Wait(1, 5*time.Second)
	want := []smtptest.Received{{
		From: "psirt@acme.example",
		To:   []string{"a@kunde.example", "b@kunde.example"},
		Data: []byte("Subject: x\r\n\r\n.leading dot\r\n.\r\nmiddle . dot\r\n"),
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}

func TestSTARTTLSAndAuth(t *testing.T) {
	s := smtptest.Start(t, smtptest.WithSTARTTLS(), smtptest.WithAuth("cradle", "s3cret"))
	c := dial(t, s)
	ext := c.cmd(250, "EHLO client.example")
	if want := "smtptest greets client.example\n8BITMIME\nENHANCEDSTATUSCODES\nSTARTTLS"; ext != want {
		t.Errorf("EHLO before TLS = %q, want %q (no AUTH in plain text)", ext, want)
	}
	plain := base64.StdEncoding.EncodeToString([]byte("\x00cradle\x00s3cret"))
	c.cmd(530, "AUTH PLAIN "+plain)
	c.cmd(530, "MAIL FROM:<psirt@acme.example>")
	c.cmd(220, "STARTTLS")
	tc := tls.Client(c.raw, &tls.Config{RootCAs: s.RootCAs(), ServerName: "127.0.0.1"})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	c.Conn = textproto.NewConn(tc)
	c.cmd(503, "MAIL FROM:<psirt@acme.example>") // EHLO again after STARTTLS
	ext = c.cmd(250, "EHLO client.example")
	if want := "smtptest greets client.example\n8BITMIME\nENHANCEDSTATUSCODES\nAUTH PLAIN"; ext != want {
		t.Errorf("EHLO after TLS = %q, want %q", ext, want)
	}
	c.cmd(535, "AUTH PLAIN "+base64.StdEncoding.EncodeToString([]byte("\x00cradle\x00wrong")))
	c.cmd(504, "AUTH LOGIN")
	// Without an initial response the server asks for it.
	c.cmd(334, "AUTH PLAIN")
	c.cmd(235, plain)
	c.cmd(250, "MAIL FROM:<psirt@acme.example>")
	c.cmd(250, "RCPT TO:<a@kunde.example>")
	c.cmd(354, "DATA")
	c.cmd(250, "hello\r\n.")
	got := s.Wait(1, 5*time.Second)
	if !got[0].TLS || got[0].Username != "cradle" || string(got[0].Data) != "hello\r\n" {
		t.Errorf("received %+v, want TLS, user cradle, data hello", got[0])
	}
}

func TestFaults(t *testing.T) {
	s := smtptest.Start(t)
	s.Fail(smtptest.StageRcpt, 451, "4.3.0 try later")
	s.Fail(smtptest.StageMessage, 554, "5.6.0 refused")
	c := dial(t, s)
	c.cmd(250, "EHLO client.example")
	c.cmd(250, "MAIL FROM:<psirt@acme.example>")
	if msg := c.cmd(451, "RCPT TO:<a@kunde.example>"); msg != "4.3.0 try later" {
		t.Errorf("RCPT reply text = %q", msg)
	}
	s.Fail(smtptest.StageRcpt, 0, "")
	c.cmd(250, "RCPT TO:<a@kunde.example>")
	c.cmd(354, "DATA")
	c.cmd(554, "x\r\n.")
	if n := len(s.Messages()); n != 0 {
		t.Errorf("kept %d messages refused after DATA", n)
	}
	s.Fail(smtptest.StageMessage, 0, "")
	s.Fail(smtptest.StageData, 452, "4.3.1 no space")
	c.cmd(250, "MAIL FROM:<psirt@acme.example>")
	c.cmd(250, "RCPT TO:<a@kunde.example>")
	c.cmd(452, "DATA")
}

func TestWaitTimesOut(t *testing.T) {
	ft := &fakeT{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := smtptest.Start(ft)
		s.Wait(1, 50*time.Millisecond)
	}()
	<-done
	if !ft.failed {
		t.Error("Wait did not fail the test when no message came")
	}
}

// fakeT records Fatalf instead of ending the test.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed = true
	f.TB.Logf("(expected) "+format, args...)
	runtime.Goexit()
}
