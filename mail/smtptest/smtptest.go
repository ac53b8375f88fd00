// Package smtptest runs a real SMTP server inside a test, on 127.0.0.1 and
// a free port, that keeps what it receives. It speaks enough of RFC 5321 for
// a submission client (EHLO/HELO, STARTTLS with a self-signed certificate,
// AUTH PLAIN, MAIL/RCPT/DATA with dot-unstuffing, RSET, NOOP, QUIT) and can
// be told to answer a stage with a given 4xx or 5xx reply, or not at all,
// so that a client's error handling is tested against the wire.
package smtptest

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Received is one message the server accepted.
type Received struct {
	From string   // the MAIL FROM address, without angle brackets
	To   []string // the RCPT TO addresses, in order
	// Data is the message as the client meant it: CRLF line endings, dots
	// unstuffed, without the terminating ".".
	Data []byte
	// TLS says whether the message came over TLS; Username is who
	// authenticated ("" without AUTH).
	TLS      bool
	Username string
}

// Stage is a point in the SMTP transaction where a fault can be injected.
type Stage string

const (
	StageMail Stage = "MAIL"
	StageRcpt Stage = "RCPT"
	// StageData is the reply to the DATA command, before the message.
	StageData Stage = "DATA"
	// StageMessage is the reply after the message's final ".": the message
	// is read and then refused, and not kept.
	StageMessage Stage = "MESSAGE"
)

// Option configures a Server at Start.
type Option func(*Server)

// WithSTARTTLS makes the server offer STARTTLS with a self-signed
// certificate for 127.0.0.1, ::1 and localhost (see Server.RootCAs). It
// then offers AUTH only after STARTTLS, as careful servers do.
func WithSTARTTLS() Option {
	return func(s *Server) { s.offerTLS = true }
}

// WithAuth makes the server offer AUTH PLAIN and require it before MAIL,
// accepting only this username and password.
func WithAuth(username, password string) Option {
	return func(s *Server) { s.username, s.password, s.requireAuth = username, password, true }
}

// Server is a running test SMTP server. Its methods may be called from any
// goroutine.
type Server struct {
	t           testing.TB
	ln          net.Listener
	offerTLS    bool
	tlsConfig   *tls.Config
	roots       *x509.CertPool
	requireAuth bool
	username    string
	password    string

	mu       sync.Mutex
	msgs     []Received
	commands []string
	faults   map[Stage]fault
	conns    map[net.Conn]bool
	changed  chan struct{} // closed and replaced when msgs grows
	closed   bool

	wg sync.WaitGroup
}

type fault struct {
	code  int
	text  string
	stall bool
}

// Start starts a server on 127.0.0.1 and a free port; it stops when the
// test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		t:       t,
		faults:  map[Stage]fault{},
		conns:   map[net.Conn]bool{},
		changed: make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	if s.offerTLS {
		cert, roots, err := selfSigned()
		if err != nil {
			t.Fatalf("smtptest: certificate: %v", err)
		}
		s.tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.roots = roots
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s.ln = ln
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(s.Close)
	return s
}

// Addr returns the server's address, "127.0.0.1:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Host returns "127.0.0.1".
func (s *Server) Host() string { return s.ln.Addr().(*net.TCPAddr).IP.String() }

// Port returns the port the server listens on.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// RootCAs returns a pool that trusts the server's certificate, for a
// client's tls.Config; nil without WithSTARTTLS.
func (s *Server) RootCAs() *x509.CertPool { return s.roots }

// Fail makes the server answer stage with code and text (such as 451,
// "4.3.0 try again later") until Fail is called again; code 0 restores
// normal replies.
func (s *Server) Fail(stage Stage, code int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		delete(s.faults, stage)
		return
	}
	s.faults[stage] = fault{code: code, text: text}
}

// Stall makes the server never answer stage: it reads on and discards what
// the client sends until the client hangs up or the server is closed. It is
// for testing a client's timeouts and cancellation. Fail(stage, 0, "")
// ends it for later sessions.
func (s *Server) Stall(stage Stage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[stage] = fault{stall: true}
}

// Messages returns the messages accepted so far, in order.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Received, len(s.msgs))
	for i, m := range s.msgs {
		m.To = append([]string(nil), m.To...)
		m.Data = append([]byte(nil), m.Data...)
		out[i] = m
	}
	return out
}

// Commands returns every command line received so far, in order, across
// all sessions (AUTH responses are shown as "AUTH PLAIN <redacted>"; message
// data is not included).
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.commands...)
}

// Wait waits until the server has accepted at least n messages and returns
// them. It fails the test (t.Fatalf, so call it from the test's goroutine)
// when that takes longer than timeout.
func (s *Server) Wait(n int, timeout time.Duration) []Received {
	s.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, changed := len(s.msgs), s.changed
		s.mu.Unlock()
		if got >= n {
			return s.Messages()
		}
		select {
		case <-changed:
		case <-deadline.C:
			s.t.Fatalf("smtptest: waited %v for %d messages, got %d", timeout, n, got)
			return nil
		}
	}
}

// Close stops the server and ends open sessions. Start arranges for it to
// be called when the test ends.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = true
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			sess := &session{s: s, raw: c}
			sess.setConn(c)
			sess.run()
			c.Close()
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

func (s *Server) fault(stage Stage) (fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.faults[stage]
	return f, ok
}

func (s *Server) logCommand(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands = append(s.commands, line)
}

func (s *Server) keep(m Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

// session is one client connection.
type session struct {
	s    *Server
	raw  net.Conn
	conn net.Conn // raw, or the TLS connection over it
	r    *bufio.Reader
	w    *bufio.Writer

	greeted  bool
	tls      bool
	authUser string
	from     string
	inMail   bool
	rcpts    []string
}

func (ss *session) setConn(c net.Conn) {
	ss.conn = c
	ss.r = bufio.NewReader(c)
	ss.w = bufio.NewWriter(c)
}

// maxLine bounds a command line, to keep a broken client from filling memory.
const maxLine = 4096

var errLineTooLong = errors.New("line too long")

func (ss *session) readLine() (string, error) {
	var line []byte
	for {
		chunk, isPrefix, err := ss.r.ReadLine()
		if err != nil {
			return "", err
		}
		line = append(line, chunk...)
		if len(line) > maxLine {
			return "", errLineTooLong
		}
		if !isPrefix {
			return string(line), nil
		}
	}
}

func (ss *session) reply(code int, text string) error {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		sep := " "
		if i < len(lines)-1 {
			sep = "-"
		}
		fmt.Fprintf(ss.w, "%d%s%s\r\n", code, sep, l)
	}
	return ss.w.Flush()
}

func (ss *session) resetTransaction() {
	ss.from, ss.inMail, ss.rcpts = "", false, nil
}

func (ss *session) run() {
	if ss.reply(220, "smtptest ESMTP ready") != nil {
		return
	}
	for {
		line, err := ss.readLine()
		if err == errLineTooLong {
			ss.reply(500, "5.5.2 line too long")
			return
		}
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		if verb == "AUTH" {
			mech, _, _ := strings.Cut(arg, " ")
			ss.s.logCommand("AUTH " + mech + " <redacted>")
		} else {
			ss.s.logCommand(line)
		}
		var done bool
		switch verb {
		case "EHLO":
			err = ss.ehlo(arg)
		case "HELO":
			err = ss.helo(arg)
		case "STARTTLS":
			err = ss.startTLS()
		case "AUTH":
			err = ss.auth(arg)
		case "MAIL":
			err = ss.mail(arg)
		case "RCPT":
			err = ss.rcpt(arg)
		case "DATA":
			err = ss.data()
		case "RSET":
			ss.resetTransaction()
			err = ss.reply(250, "2.0.0 OK")
		case "NOOP":
			err = ss.reply(250, "2.0.0 OK")
		case "VRFY":
			err = ss.reply(252, "2.5.0 cannot verify")
		case "QUIT":
			ss.reply(221, "2.0.0 bye")
			done = true
		default:
			err = ss.reply(500, "5.5.2 command not recognized")
		}
		if err != nil || done {
			return
		}
	}
}

func (ss *session) authOffered() bool {
	return ss.s.requireAuth && (ss.tls || !ss.s.offerTLS)
}

func (ss *session) ehlo(arg string) error {
	if strings.TrimSpace(arg) == "" {
		return ss.reply(501, "5.5.4 EHLO needs a domain")
	}
	ss.greeted = true
	ss.resetTransaction()
	ext := []string{"smtptest greets " + arg, "8BITMIME", "ENHANCEDSTATUSCODES"}
	if ss.s.offerTLS && !ss.tls {
		ext = append(ext, "STARTTLS")
	}
	if ss.authOffered() {
		ext = append(ext, "AUTH PLAIN")
	}
	return ss.reply(250, strings.Join(ext, "\n"))
}

func (ss *session) helo(arg string) error {
	if strings.TrimSpace(arg) == "" {
		return ss.reply(501, "5.5.4 HELO needs a domain")
	}
	ss.greeted = true
	ss.resetTransaction()
	return ss.reply(250, "smtptest greets "+arg)
}

func (ss *session) startTLS() error {
	switch {
	case !ss.s.offerTLS:
		return ss.reply(502, "5.5.1 STARTTLS not offered")
	case ss.tls:
		return ss.reply(503, "5.5.1 already in TLS")
	}
	if err := ss.reply(220, "2.0.0 ready to start TLS"); err != nil {
		return err
	}
	if ss.r.Buffered() > 0 {
		// Commands pipelined after STARTTLS would be injected into the
		// TLS session (CVE-2011-0411); a correct client never sends them.
		return errors.New("data after STARTTLS")
	}
	tc := tls.Server(ss.raw, ss.s.tlsConfig)
	if err := tc.Handshake(); err != nil {
		return err
	}
	ss.setConn(tc)
	// RFC 3207: forget everything learnt before TLS.
	ss.tls, ss.greeted, ss.authUser = true, false, ""
	ss.resetTransaction()
	return nil
}

func (ss *session) auth(arg string) error {
	mech, initial, _ := strings.Cut(arg, " ")
	switch {
	case !ss.s.requireAuth:
		return ss.reply(502, "5.5.1 AUTH not offered")
	case !ss.greeted:
		return ss.reply(503, "5.5.1 EHLO first")
	case ss.s.offerTLS && !ss.tls:
		return ss.reply(530, "5.7.0 must issue a STARTTLS command first")
	case ss.authUser != "":
		return ss.reply(503, "5.5.1 already authenticated")
	case ss.inMail:
		return ss.reply(503, "5.5.1 AUTH not allowed during a mail transaction")
	case !strings.EqualFold(mech, "PLAIN"):
		return ss.reply(504, "5.5.4 unrecognized authentication type")
	}
	if initial == "" {
		if err := ss.reply(334, ""); err != nil {
			return err
		}
		line, err := ss.readLine()
		if err != nil {
			return err
		}
		initial = line
	}
	if initial == "*" {
		return ss.reply(501, "5.0.0 authentication cancelled")
	}
	dec, err := base64.StdEncoding.DecodeString(initial)
	if err != nil {
		return ss.reply(501, "5.5.2 cannot decode response")
	}
	parts := strings.Split(string(dec), "\x00")
	if len(parts) != 3 {
		return ss.reply(501, "5.5.2 malformed PLAIN response")
	}
	if parts[1] != ss.s.username || parts[2] != ss.s.password || (parts[0] != "" && parts[0] != parts[1]) {
		return ss.reply(535, "5.7.8 authentication credentials invalid")
	}
	ss.authUser = parts[1]
	return ss.reply(235, "2.7.0 authentication successful")
}

// path parses "FROM:<addr> params" or "TO:<addr> params".
func path(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimLeft(arg[len(prefix):], " ")
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}

// injected answers with the fault configured for stage, if any; stalled
// sessions read until the client or the server ends them.
func (ss *session) injected(stage Stage) (bool, error) {
	f, ok := ss.s.fault(stage)
	if !ok {
		return false, nil
	}
	if f.stall {
		io.Copy(io.Discard, ss.r)
		return true, io.EOF
	}
	return true, ss.reply(f.code, f.text)
}

func (ss *session) mail(arg string) error {
	switch {
	case !ss.greeted:
		return ss.reply(503, "5.5.1 EHLO first")
	case ss.s.requireAuth && ss.authUser == "":
		return ss.reply(530, "5.7.0 authentication required")
	case ss.inMail:
		return ss.reply(503, "5.5.1 nested MAIL command")
	}
	from, ok := path(arg, "FROM:")
	if !ok {
		return ss.reply(501, "5.5.4 syntax: MAIL FROM:<address>")
	}
	if done, err := ss.injected(StageMail); done {
		return err
	}
	ss.from, ss.inMail = from, true
	return ss.reply(250, "2.1.0 OK")
}

func (ss *session) rcpt(arg string) error {
	if !ss.inMail {
		return ss.reply(503, "5.5.1 need MAIL before RCPT")
	}
	to, ok := path(arg, "TO:")
	if !ok || to == "" {
		return ss.reply(501, "5.5.4 syntax: RCPT TO:<address>")
	}
	if done, err := ss.injected(StageRcpt); done {
		return err
	}
	ss.rcpts = append(ss.rcpts, to)
	return ss.reply(250, "2.1.5 OK")
}

func (ss *session) data() error {
	if !ss.inMail || len(ss.rcpts) == 0 {
		return ss.reply(503, "5.5.1 need RCPT before DATA")
	}
	if done, err := ss.injected(StageData); done {
		return err
	}
	if err := ss.reply(354, "end data with <CR><LF>.<CR><LF>"); err != nil {
		return err
	}
	var data []byte
	for {
		line, err := ss.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A line longer than the buffer: keep it whole.
			rest, err2 := ss.r.ReadBytes('\n')
			line, err = append(append([]byte(nil), line...), rest...), err2
		}
		if err != nil {
			return err
		}
		if string(line) == ".\r\n" || string(line) == ".\n" {
			break
		}
		// RFC 5321 section 4.5.2: a leading dot was added by the client.
		if line[0] == '.' {
			line = line[1:]
		}
		data = append(data, line...)
	}
	m := Received{From: ss.from, To: ss.rcpts, Data: data, TLS: ss.tls, Username: ss.authUser}
	ss.resetTransaction()
	if done, err := ss.injected(StageMessage); done {
		return err
	}
	ss.s.keep(m)
	return ss.reply(250, "2.0.0 OK queued as "+strconv.Itoa(len(ss.s.Messages())))
}

// selfSigned makes a certificate for the loopback addresses and a pool
// that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}
