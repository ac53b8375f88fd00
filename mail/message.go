// Package mail owns outgoing e-mail: it builds RFC 5322/MIME messages
// (a readable text part, an HTML part and attachments such as the CSAF JSON
// of an advisory) and delivers them to an SMTP relay, telling the caller
// whether a failed delivery is worth retrying (IsPermanent).
//
// It uses the standard library only and knows nothing of cradle's domain:
// the caller decides who is notified and what the message says.
package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrInvalidMessage is wrapped by every error that Message.Bytes returns: the
// message cannot be built as given, so retrying it is pointless.
var ErrInvalidMessage = errors.New("invalid message")

// Message is one e-mail. From and To are required, and at least one of Text
// and HTML; an empty Subject leaves the Subject header out.
type Message struct {
	// From is one address, with or without a display name:
	// "Acme PSIRT <psirt@acme.example>". Sender.Send fills it from
	// Sender.From when it is empty.
	From string
	// To are the recipients, each in the same form as From. They are written
	// to the To header and are the envelope recipients.
	To      []string
	Subject string
	// Text is the plain-text body; HTML the HTML body. With both, they form
	// a multipart/alternative (text first, so clients that cannot show HTML
	// show the text). Both must be valid UTF-8.
	Text string
	HTML string
	// Attachments follow the body in a multipart/mixed message.
	Attachments []Attachment
	// Headers are extra header fields, such as List-Unsubscribe,
	// List-Unsubscribe-Post or Auto-Submitted. Values must be printable
	// ASCII (encode anything else yourself); fields that Message sets from
	// its own fields (From, To, Subject, Date, Message-ID, MIME-Version,
	// Content-Type, Content-Transfer-Encoding, Content-Disposition) and
	// Cc/Bcc (recipients that the envelope would not know) are refused.
	Headers map[string]string
	// MessageID is written as Message-ID, with or without angle brackets
	// ("id@host" or "<id@host>"). When empty, Bytes generates one, so every
	// call yields a different ID: an outbox that retries should store one
	// (NewMessageID) with the message, so that a retry after a lost reply
	// can be recognised as a duplicate.
	MessageID string
	// Date is written as the Date header; zero means now.
	Date time.Time
}

// Attachment is a file attached to a Message. Its data is sent in base64.
type Attachment struct {
	// Filename is the name shown to the recipient, such as
	// "acme-sa-2026-001.json"; a name, not a path.
	Filename string
	// ContentType is a media type such as "application/json"; empty means
	// "application/octet-stream".
	ContentType string
	Data        []byte
}

// NewMessageID returns a new random Message-ID, "<hex@domain>".
func NewMessageID(domain string) string {
	var b [16]byte
	rand.Read(b[:])
	if domain == "" {
		domain = "localhost"
	}
	return "<" + hex.EncodeToString(b[:]) + "@" + domain + ">"
}

// maxLine is RFC 5322's hard limit on a line, without its CRLF.
const maxLine = 998

// foldAt is the length at which header lines are folded where they have a
// space: RFC 5322 recommends 78 characters, RFC 2047 requires 76 for lines
// with encoded-words.
const foldAt = 76

// Header fields that Bytes writes itself, or that must not be set through
// Message.Headers, by canonical name.
var reservedHeaders = map[string]bool{
	"From": true, "To": true, "Cc": true, "Bcc": true, "Subject": true, "Date": true,
	"Message-Id": true, "Mime-Version": true, "Content-Type": true,
	"Content-Transfer-Encoding": true, "Content-Disposition": true,
}

// Bytes returns the message in RFC 5322/MIME form with CRLF line endings,
// ready for SMTP DATA (before dot-stuffing, which the SMTP client does).
//
// Header values are checked before anything is written: a CR or LF in any
// of them (subject, addresses, extra headers, filenames) is an error, so a
// value taken from user input cannot add header fields (header injection).
// Non-ASCII subjects and display names are written as RFC 2047
// encoded-words; text parts as UTF-8 quoted-printable; attachments in base64
// with 76-character lines.
func (m Message) Bytes() ([]byte, error) {
	b, err := m.build()
	if err != nil {
		return nil, fmt.Errorf("build message: %w", err)
	}
	return b, nil
}

func (m Message) build() ([]byte, error) {
	from, err := parseAddress("from", m.From)
	if err != nil {
		return nil, err
	}
	if len(m.To) == 0 {
		return nil, invalid("no recipients (To is empty)")
	}
	to := make([]string, len(m.To))
	for i, s := range m.To {
		a, err := parseAddress(fmt.Sprintf("to[%d]", i), s)
		if err != nil {
			return nil, err
		}
		to[i] = a.String()
	}
	if err := checkHeaderValue("subject", m.Subject); err != nil {
		return nil, err
	}
	if !utf8.ValidString(m.Subject) {
		return nil, invalid("subject is not valid UTF-8")
	}
	id, err := messageID(m.MessageID, from.Address)
	if err != nil {
		return nil, err
	}
	extra, err := extraHeaders(m.Headers)
	if err != nil {
		return nil, err
	}
	body, err := m.body()
	if err != nil {
		return nil, err
	}

	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	var h header
	h.add("Date", date.Format(time.RFC1123Z))
	h.add("From", from.String())
	h.add("To", strings.Join(to, ", "))
	if m.Subject != "" {
		h.add("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	}
	h.add("Message-ID", id)
	for _, kv := range extra {
		h.add(kv[0], kv[1])
	}
	h.add("MIME-Version", "1.0")

	var buf bytes.Buffer
	err = body.write(func(ph textproto.MIMEHeader) (io.Writer, error) {
		for _, k := range []string{"Content-Type", "Content-Transfer-Encoding"} {
			if v := ph.Get(k); v != "" {
				h.add(k, v)
			}
		}
		if err := h.writeTo(&buf); err != nil {
			return nil, err
		}
		return &buf, nil
	})
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// entity is one MIME entity: a leaf with content, or a multipart with parts.
type entity struct {
	mediaType   string            // "text/plain", "multipart/mixed", ...
	params      map[string]string // Content-Type parameters other than boundary
	disposition string            // full Content-Disposition value, or ""
	encoding    string            // "quoted-printable" or "base64" for leaves
	content     []byte
	parts       []entity
}

// write writes e's header through create (which writes the header and
// returns where the body goes) and then its body.
func (e entity) write(create func(textproto.MIMEHeader) (io.Writer, error)) error {
	params := map[string]string{}
	for k, v := range e.params {
		params[k] = v
	}
	var boundary string
	if len(e.parts) > 0 {
		boundary = newBoundary()
		params["boundary"] = boundary
	}
	ph := textproto.MIMEHeader{}
	ph.Set("Content-Type", mime.FormatMediaType(e.mediaType, params))
	if e.encoding != "" {
		ph.Set("Content-Transfer-Encoding", e.encoding)
	}
	if e.disposition != "" {
		ph.Set("Content-Disposition", e.disposition)
	}
	bw, err := create(ph)
	if err != nil {
		return err
	}
	if len(e.parts) > 0 {
		mw := multipart.NewWriter(bw)
		if err := mw.SetBoundary(boundary); err != nil {
			return err
		}
		create := func(ph textproto.MIMEHeader) (io.Writer, error) {
			return mw.CreatePart(foldMIME(ph))
		}
		for _, p := range e.parts {
			if err := p.write(create); err != nil {
				return err
			}
		}
		return mw.Close()
	}
	switch e.encoding {
	case "quoted-printable":
		qw := quotedprintable.NewWriter(bw)
		if _, err := qw.Write(e.content); err != nil {
			return err
		}
		return qw.Close()
	case "base64":
		return writeBase64(bw, e.content)
	}
	return fmt.Errorf("unknown transfer encoding %q", e.encoding)
}

// writeBase64 writes data in base64 with lines of 76 characters (RFC 2045
// section 6.8).
func writeBase64(w io.Writer, data []byte) error {
	enc := make([]byte, base64.StdEncoding.EncodedLen(len(data)))
	base64.StdEncoding.Encode(enc, data)
	line := make([]byte, 0, 78)
	for len(enc) > 0 {
		n := min(76, len(enc))
		line = append(append(line[:0], enc[:n]...), '\r', '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
		enc = enc[n:]
	}
	return nil
}

// newBoundary returns a random multipart boundary. It starts with "=_",
// which can occur neither in quoted-printable (where "=" is followed by two
// hex digits or a line break) nor in base64, so no part can contain it.
func newBoundary() string {
	var b [16]byte
	rand.Read(b[:])
	return "=_" + hex.EncodeToString(b[:])
}

func (m Message) body() (entity, error) {
	var alt []entity
	if m.Text != "" {
		if !utf8.ValidString(m.Text) {
			return entity{}, invalid("text is not valid UTF-8")
		}
		alt = append(alt, textEntity("text/plain", m.Text))
	}
	if m.HTML != "" {
		if !utf8.ValidString(m.HTML) {
			return entity{}, invalid("html is not valid UTF-8")
		}
		alt = append(alt, textEntity("text/html", m.HTML))
	}
	var body entity
	switch len(alt) {
	case 0:
		return entity{}, invalid("no body (Text and HTML are empty)")
	case 1:
		body = alt[0]
	default:
		body = entity{mediaType: "multipart/alternative", parts: alt}
	}
	if len(m.Attachments) == 0 {
		return body, nil
	}
	mixed := entity{mediaType: "multipart/mixed", parts: []entity{body}}
	for i, a := range m.Attachments {
		e, err := a.entity()
		if err != nil {
			return entity{}, fmt.Errorf("attachment %d: %w", i, err)
		}
		mixed.parts = append(mixed.parts, e)
	}
	return mixed, nil
}

func textEntity(mediaType, s string) entity {
	return entity{
		mediaType: mediaType,
		params:    map[string]string{"charset": "utf-8"},
		encoding:  "quoted-printable",
		content:   []byte(s),
	}
}

func (a Attachment) entity() (entity, error) {
	if a.Filename == "" {
		return entity{}, invalid("empty filename")
	}
	if err := checkHeaderValue("filename", a.Filename); err != nil {
		return entity{}, err
	}
	if !utf8.ValidString(a.Filename) || len(a.Filename) > 255 {
		return entity{}, invalid(fmt.Sprintf("filename %q: not valid UTF-8 or longer than 255 bytes", a.Filename))
	}
	if strings.ContainsAny(a.Filename, `/\`) {
		return entity{}, invalid(fmt.Sprintf("filename %q: a name, not a path, is expected", a.Filename))
	}
	ct := a.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	if err := checkHeaderValue("content type", ct); err != nil {
		return entity{}, err
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return entity{}, invalid(fmt.Sprintf("content type %q: %v", ct, err))
	}
	if strings.HasPrefix(mt, "multipart/") || strings.HasPrefix(mt, "message/") {
		return entity{}, invalid(fmt.Sprintf("content type %q: composite types cannot be attached as data", ct))
	}
	if _, ok := params["name"]; !ok {
		// Older clients (and some current ones) name the file from here.
		params["name"] = a.Filename
	}
	return entity{
		mediaType:   mt,
		params:      params,
		disposition: mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}),
		encoding:    "base64",
		content:     a.Data,
	}, nil
}

// parseAddress parses one address with net/mail. The addr-spec must be
// ASCII: this package does not use SMTPUTF8.
func parseAddress(field, s string) (*mail.Address, error) {
	if s == "" {
		return nil, invalid(field + ": empty address")
	}
	if err := checkHeaderValue(field, s); err != nil {
		return nil, err
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, invalid(fmt.Sprintf("%s: address %q: %v", field, s, err))
	}
	for _, r := range a.Address {
		if r >= utf8.RuneSelf {
			return nil, invalid(fmt.Sprintf("%s: address %q: non-ASCII addresses (SMTPUTF8) are not supported", field, s))
		}
	}
	return a, nil
}

func messageID(id, from string) (string, error) {
	if id == "" {
		_, domain, _ := strings.Cut(from, "@")
		return NewMessageID(domain), nil
	}
	if err := checkHeaderValue("message id", id); err != nil {
		return "", err
	}
	bare := strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	left, right, ok := strings.Cut(bare, "@")
	valid := ok && left != "" && right != ""
	for _, r := range bare {
		if r <= ' ' || r >= 0x7f || r == '<' || r == '>' {
			valid = false
		}
	}
	if !valid {
		return "", invalid(fmt.Sprintf("message id %q: want id@host, printable ASCII", id))
	}
	return "<" + bare + ">", nil
}

func extraHeaders(hs map[string]string) ([][2]string, error) {
	var out [][2]string
	for k, v := range hs {
		if k == "" || strings.IndexFunc(k, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == ':' }) >= 0 {
			return nil, invalid(fmt.Sprintf("header name %q: want printable ASCII without spaces or colons", k))
		}
		name := textproto.CanonicalMIMEHeaderKey(k)
		if reservedHeaders[name] {
			return nil, invalid(fmt.Sprintf("header %q cannot be set through Headers", k))
		}
		if err := checkHeaderValue("header "+k, v); err != nil {
			return nil, err
		}
		if strings.IndexFunc(v, func(r rune) bool { return r != '\t' && (r < ' ' || r >= 0x7f) }) >= 0 {
			return nil, invalid(fmt.Sprintf("header %q: value must be printable ASCII (encode it first)", k))
		}
		out = append(out, [2]string{k, v})
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out, nil
}

// checkHeaderValue refuses the characters that end a header line. Without
// this check, a subject like "Hi\r\nBcc: victim@example.com" taken from user
// input would add a recipient.
func checkHeaderValue(field, v string) error {
	if i := strings.IndexAny(v, "\r\n\x00"); i >= 0 {
		return invalid(fmt.Sprintf("%s contains a line break or NUL at byte %d (header injection refused)", field, i))
	}
	return nil
}

func invalid(msg string) error {
	return fmt.Errorf("%s: %w", msg, ErrInvalidMessage)
}

// header collects header lines in order.
type header struct{ lines []string }

func (h *header) add(name, value string) {
	h.lines = append(h.lines, name+": "+value)
}

func (h *header) writeTo(w io.Writer) error {
	var buf bytes.Buffer
	for _, l := range h.lines {
		for _, f := range fold(l) {
			if len(f) > maxLine {
				name, _, _ := strings.Cut(l, ":")
				return invalid(fmt.Sprintf("header %s: a line longer than %d characters with no place to fold it", name, maxLine))
			}
			buf.WriteString(f)
			buf.WriteString("\r\n")
		}
	}
	buf.WriteString("\r\n")
	_, err := w.Write(buf.Bytes())
	return err
}

// foldMIME folds the values of a part's header, which multipart.Writer
// writes as they are.
func foldMIME(h textproto.MIMEHeader) textproto.MIMEHeader {
	out := textproto.MIMEHeader{}
	for k, vs := range h {
		for _, v := range vs {
			// CreatePart writes "k: " before the value.
			folded := strings.TrimPrefix(strings.Join(fold(k+": "+v), "\r\n"), k+":")
			out.Add(k, strings.TrimPrefix(folded, " "))
		}
	}
	return out
}

// fold splits a header line before spaces so that each piece is at most
// foldAt characters where the line allows it. Unfolding (removing the CRLF
// that joins the pieces) restores the line exactly, since the space stays
// at the start of the continuation line. The first piece may end right
// after "Name:": an encoded-word of 75 characters fits no other way.
func fold(line string) []string {
	var out []string
	for len(line) > foldAt {
		// A piece must not be only white space (RFC 5322 section 3.2.2),
		// so the fold comes after the continuation line's first word.
		lead := len(line) - len(strings.TrimLeft(line, " \t"))
		i := strings.LastIndexByte(line[:foldAt+1], ' ')
		if i <= lead {
			// No space early enough: fold at the first one after foldAt.
			from := max(foldAt, lead)
			j := strings.IndexByte(line[from:], ' ')
			if j < 0 {
				break
			}
			i = from + j
		}
		// Fold before a run of spaces, not inside it.
		for i-1 > lead && line[i-1] == ' ' {
			i--
		}
		out = append(out, line[:i])
		line = line[i:]
	}
	return append(out, line)
}
