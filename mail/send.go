package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// TLSMode says how Sender protects the connection to the relay.
type TLSMode string

const (
	// TLSStartTLS connects in plain text and upgrades with STARTTLS before
	// anything else is sent; a server that does not offer STARTTLS is an
	// error, never a reason to continue in plain text. This is the default.
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the first byte ("SMTPS", port 465).
	TLSImplicit TLSMode = "tls"
	// TLSNone sends everything in plain text. Credentials are then only
	// sent to localhost (see Sender).
	TLSNone TLSMode = "none"
)

// Sender delivers messages to one SMTP relay (submission server). It is
// configuration only: every Send opens its own connection, so a Sender may
// be used by several goroutines at once.
//
// Credentials (Username, Password) are sent with AUTH PLAIN, which reveals
// the password to anyone who can read the connection. Sender therefore sends
// them only over TLS (TLS "starttls" after a successful upgrade, or "tls"),
// with one exception: TLS "none" to a relay on this machine (Host
// "localhost", "127.0.0.1" or "::1"), where the connection never leaves the
// host. Any other combination of credentials and TLS "none" is refused
// before connecting. The server certificate is verified against the system
// roots (or TLSConfig.RootCAs) and Host.
type Sender struct {
	Host string
	// Port defaults to 587 for "starttls", 465 for "tls" and 25 for "none".
	Port     int
	Username string
	Password string
	// From is the envelope sender (MAIL FROM, where bounces go), and the From
	// header of messages that have none. When empty, the envelope sender is
	// the message's From address.
	From string
	// TLS is "starttls" (the default when empty), "tls" or "none".
	TLS TLSMode
	// HeloName is the name sent with EHLO; it defaults to "localhost". Relays
	// that check it want the fully qualified name of this host.
	HeloName string
	// Timeout bounds one Send as a whole: connecting, TLS, authentication and
	// the transfer. Zero means one minute. The context passed to Send can end
	// it earlier.
	Timeout time.Duration
	// TLSConfig, when set, is used for STARTTLS and implicit TLS (a copy of
	// it, with ServerName set to Host when empty). Tests set RootCAs here to
	// trust a test server's certificate.
	TLSConfig *tls.Config
}

// Error is a failed Send. Permanent says whether sending the same message
// again can succeed without someone changing something: a 5xx reply, a
// rejected password, a message that cannot be built, a missing STARTTLS,
// an untrusted certificate or a configuration mistake are permanent; 4xx
// replies, network failures, timeouts and cancellation are not.
type Error struct {
	// Stage is the step that failed: "config", "message", "dial", "greeting",
	// "hello", "starttls", "auth", "mail from", "rcpt to", "data".
	Stage string
	// Code is the SMTP reply code, or 0 when the failure was not a reply.
	Code      int
	Permanent bool
	Err       error
}

func (e *Error) Error() string {
	return "smtp " + e.Stage + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// IsPermanent reports whether err says that retrying the same message will
// fail again, so an outbox should give up (and tell someone) rather than
// retry. It is false for nil and for errors it does not know, which are
// treated as temporary.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalidMessage) {
		return true
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Permanent
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code >= 500
	}
	return false
}

// Send delivers msg to every address in msg.To through the relay. It fails
// as a whole when the relay refuses any recipient: nothing is sent then, so a
// retry cannot deliver twice to the recipients that were accepted.
//
// When Send fails after the message was transmitted but before the relay
// confirmed it (a lost connection), the relay may still deliver it; a retry
// then sends a duplicate, recognisable by its Message-ID if msg.MessageID
// was set.
func (s *Sender) Send(ctx context.Context, msg Message) error {
	mode, port, err := s.check()
	if err != nil {
		return &Error{Stage: "config", Permanent: true, Err: err}
	}
	if msg.From == "" {
		msg.From = s.From
	}
	data, err := msg.Bytes()
	if err != nil {
		return &Error{Stage: "message", Permanent: true, Err: err}
	}
	envFrom := msg.From
	if s.From != "" {
		envFrom = s.From
	}
	from, err := parseAddress("sender from", envFrom)
	if err != nil {
		return &Error{Stage: "config", Permanent: true, Err: err}
	}
	rcpts := make([]string, len(msg.To))
	for i, t := range msg.To {
		a, _ := parseAddress("to", t) // Bytes checked them
		rcpts[i] = a.Address
	}

	timeout := s.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	c := conversation{ctx: ctx}
	err = c.run(s, mode, net.JoinHostPort(s.Host, strconv.Itoa(port)), from.Address, rcpts, data)
	if c.conn != nil {
		c.conn.Close()
	}
	return err
}

func (s *Sender) check() (TLSMode, int, error) {
	if s.Host == "" {
		return "", 0, errors.New("no host")
	}
	mode := s.TLS
	port := s.Port
	switch mode {
	case "", TLSStartTLS:
		mode = TLSStartTLS
		if port == 0 {
			port = 587
		}
	case TLSImplicit:
		if port == 0 {
			port = 465
		}
	case TLSNone:
		if port == 0 {
			port = 25
		}
	default:
		return "", 0, fmt.Errorf("tls %q: want none, starttls or tls", s.TLS)
	}
	if strings.ContainsAny(s.HeloName, " \t\r\n\x00") {
		return "", 0, fmt.Errorf("helo name %q: want a host name", s.HeloName)
	}
	if strings.ContainsRune(s.Username, 0) || strings.ContainsRune(s.Password, 0) {
		return "", 0, errors.New("username or password contains NUL, which AUTH PLAIN cannot carry")
	}
	if s.Password != "" && s.Username == "" {
		return "", 0, errors.New("password without username")
	}
	if s.Username != "" && mode == TLSNone && !isLocalhost(s.Host) {
		return "", 0, fmt.Errorf("refusing to send credentials in plain text to %s: use tls starttls or tls (plain text is allowed for localhost only)", s.Host)
	}
	return mode, port, nil
}

// isLocalhost matches net/smtp's PlainAuth, which makes the same exception.
func isLocalhost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// conversation is one SMTP session. It turns every failure into an *Error
// with its stage and classification.
type conversation struct {
	ctx  context.Context
	conn net.Conn
}

func (c *conversation) run(s *Sender, mode TLSMode, addr, from string, rcpts []string, data []byte) error {
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.TLSConfig != nil {
		tlsConfig = s.TLSConfig.Clone()
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = s.Host
	}

	d := &net.Dialer{}
	var err error
	if mode == TLSImplicit {
		c.conn, err = (&tls.Dialer{NetDialer: d, Config: tlsConfig}).DialContext(c.ctx, "tcp", addr)
	} else {
		c.conn, err = d.DialContext(c.ctx, "tcp", addr)
	}
	if err != nil {
		return c.fail("dial", fmt.Errorf("%s: %w", addr, err))
	}
	// When the context ends (cancelled, or Timeout reached), the
	// connection's deadline moves into the past, which unblocks whatever is
	// waiting on it; the context is done by then, so fail reports why.
	stop := context.AfterFunc(c.ctx, func() { c.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	client, err := smtp.NewClient(c.conn, s.Host)
	if err != nil {
		return c.fail("greeting", err)
	}
	helo := s.HeloName
	if helo == "" {
		helo = "localhost"
	}
	if err := client.Hello(helo); err != nil {
		return c.fail("hello", err)
	}
	ok, _ := client.Extension("STARTTLS")
	if mode == TLSStartTLS {
		if !ok {
			return c.quit(client, &Error{Stage: "starttls", Permanent: true,
				Err: errors.New("server does not offer STARTTLS; refusing to continue in plain text")})
		}
		if err := client.StartTLS(tlsConfig); err != nil {
			return c.fail("starttls", err)
		}
	}
	if s.Username != "" {
		ok, mechs := client.Extension("AUTH")
		if !ok || !hasWord(mechs, "PLAIN") {
			return c.quit(client, &Error{Stage: "auth", Permanent: true,
				Err: fmt.Errorf("server does not offer AUTH PLAIN (offers %q)", mechs)})
		}
		if err := client.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return c.fail("auth", err)
		}
	}
	if err := client.Mail(from); err != nil {
		return c.quit(client, c.fail("mail from", err))
	}
	for _, r := range rcpts {
		if err := client.Rcpt(r); err != nil {
			return c.quit(client, c.fail("rcpt to", fmt.Errorf("<%s>: %w", r, err)))
		}
	}
	w, err := client.Data()
	if err != nil {
		return c.quit(client, c.fail("data", err))
	}
	if _, err := w.Write(data); err != nil {
		return c.fail("data", err)
	}
	if err := w.Close(); err != nil {
		return c.quit(client, c.fail("data", err))
	}
	// The relay has accepted the message; a failing QUIT changes nothing.
	client.Quit()
	return nil
}

// quit ends the session politely after the server refused something, when
// the connection is still usable, and returns err.
func (c *conversation) quit(client *smtp.Client, err error) error {
	var e *Error
	if errors.As(err, &e) && (e.Code != 0 || e.Stage == "starttls" || e.Stage == "auth") && c.ctx.Err() == nil {
		client.Quit()
	}
	return err
}

// fail classifies err, which happened at stage.
func (c *conversation) fail(stage string, err error) error {
	if ctxErr := context.Cause(c.ctx); ctxErr != nil {
		// A timeout or a cancelled context caused (or overtook) the failure.
		if errors.Is(err, ctxErr) {
			return &Error{Stage: stage, Err: err}
		}
		return &Error{Stage: stage, Err: fmt.Errorf("%v: %w", err, ctxErr)}
	}
	e := &Error{Stage: stage, Err: err}
	var te *textproto.Error
	var cv *tls.CertificateVerificationError
	switch {
	case errors.As(err, &te):
		e.Code = te.Code
		// RFC 5321 section 4.5.3.1.10: 552 in reply to RCPT means too
		// many recipients and should be treated as temporary.
		e.Permanent = te.Code >= 500 && !(stage == "rcpt to" && te.Code == 552)
	case errors.As(err, &cv):
		e.Permanent = true
	}
	return e
}

func hasWord(list, word string) bool {
	for _, w := range strings.Fields(list) {
		if strings.EqualFold(w, word) {
			return true
		}
	}
	return false
}
