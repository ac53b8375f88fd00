package mail_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cradle-sdl/cradle/mail"
)

// csafDoc returns a CSAF-like JSON document long enough to span many
// base64 lines, with non-ASCII text and every byte value.
func csafDoc() []byte {
	var b bytes.Buffer
	b.WriteString(`{"document":{"category":"csaf_security_advisory","title":"Überlauf in der Steuerung – ACME-SA-2026-001","tracking":{"id":"acme-sa-2026-001"}},"notes":"`)
	for i := range 256 {
		b.WriteByte(byte(i))
	}
	b.WriteString(`"}`)
	return b.Bytes()
}

func advisory() mail.Message {
	return mail.Message{
		From:    "Acme PSIRT <psirt@acme.example>",
		To:      []string{"Jürgen Müller <j.mueller@kunde.example>", "ops@other.example"},
		Subject: "Sicherheitshinweis ACME-SA-2026-001: Pufferüberlauf im Überwachungsgerät 🚨 – bitte aktualisieren Sie die Firmware",
		Text: "Sehr geehrte Kundin, sehr geehrter Kunde,\n\n" +
			"eine Schwachstelle (CVE-2026-0001, CVSS 9.8) betrifft die Firmware 2.3 des Überwachungsgeräts; diese Zeile ist absichtlich länger als sechsundsiebzig Zeichen.\n" +
			".\n" +
			".Zeile mit Punkt am Anfang\n" +
			"Grüße 🚨\n",
		HTML:        "<p>Sehr geehrte Kundin,</p>\n<p>eine Schwachstelle betrifft die <b>Firmware 2.3</b> – Grüße.</p>\n",
		Attachments: []mail.Attachment{{Filename: "acme-sa-2026-001.json", ContentType: "application/json", Data: csafDoc()}},
		Headers: map[string]string{
			"List-Unsubscribe":      "<https://cradle.acme.example/unsubscribe?t=abc>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
		MessageID: "acme-sa-2026-001.1@acme.example",
		Date:      time.Date(2026, 3, 4, 10, 30, 0, 0, time.FixedZone("CET", 3600)),
	}
}

func TestMessageStructure(t *testing.T) {
	m := advisory()
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, raw, 76)

	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(h.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	if subject != m.Subject {
		t.Errorf("subject = %q, want %q", subject, m.Subject)
	}
	from, err := h.AddressList("From")
	if err != nil {
		t.Fatal(err)
	}
	to, err := h.AddressList("To")
	if err != nil {
		t.Fatal(err)
	}
	wantTo := []*netmail.Address{{Name: "Jürgen Müller", Address: "j.mueller@kunde.example"}, {Address: "ops@other.example"}}
	if diff := cmp.Diff([]*netmail.Address{{Name: "Acme PSIRT", Address: "psirt@acme.example"}}, from); diff != "" {
		t.Errorf("From (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantTo, to); diff != "" {
		t.Errorf("To (-want +got):\n%s", diff)
	}
	if strings.Contains(h.Get("To"), "ü") {
		t.Errorf("To header is not ASCII: %q", h.Get("To"))
	}
	date, err := h.Date()
	if err != nil || !date.Equal(m.Date) {
		t.Errorf("Date = %v, %v; want %v", date, err, m.Date)
	}
	for k, want := range map[string]string{
		"Message-Id":            "<acme-sa-2026-001.1@acme.example>",
		"Mime-Version":          "1.0",
		"List-Unsubscribe":      "<https://cradle.acme.example/unsubscribe?t=abc>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}

	mixed := parts(t, h.Get("Content-Type"), msg.Body, "multipart/mixed")
	if len(mixed) != 2 {
		t.Fatalf("multipart/mixed has %d parts, want 2", len(mixed))
	}
	alt := parts(t, mixed[0].header.Get("Content-Type"), bytes.NewReader(mixed[0].body), "multipart/alternative")
	if len(alt) != 2 {
		t.Fatalf("multipart/alternative has %d parts, want 2", len(alt))
	}
	for i, want := range []struct{ mediaType, content string }{
		{"text/plain", m.Text},
		{"text/html", m.HTML},
	} {
		p := alt[i]
		mt, params, err := mime.ParseMediaType(p.header.Get("Content-Type"))
		if err != nil || mt != want.mediaType || params["charset"] != "utf-8" {
			t.Errorf("alternative %d: Content-Type %q, want %s; charset=utf-8", i, p.header.Get("Content-Type"), want.mediaType)
		}
		if cte := p.header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			t.Errorf("alternative %d: Content-Transfer-Encoding %q", i, cte)
		}
		got, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(p.body)))
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.ReplaceAll(want.content, "\n", "\r\n"); string(got) != want {
			t.Errorf("alternative %d decoded = %q, want %q", i, got, want)
		}
	}

	att := mixed[1]
	mt, params, err := mime.ParseMediaType(att.header.Get("Content-Type"))
	if err != nil || mt != "application/json" || params["name"] != "acme-sa-2026-001.json" {
		t.Errorf("attachment Content-Type = %q", att.header.Get("Content-Type"))
	}
	disp, dparams, err := mime.ParseMediaType(att.header.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || dparams["filename"] != "acme-sa-2026-001.json" {
		t.Errorf("attachment Content-Disposition = %q", att.header.Get("Content-Disposition"))
	}
	if cte := att.header.Get("Content-Transfer-Encoding"); cte != "base64" {
		t.Errorf("attachment Content-Transfer-Encoding = %q", cte)
	}
	lines := strings.Split(strings.TrimSuffix(string(att.body), "\r\n"), "\r\n")
	for i, l := range lines {
		if i < len(lines)-1 && len(l) != 76 || len(l) > 76 {
			t.Errorf("base64 line %d has %d characters, want 76 (at most 76 for the last)", i, len(l))
		}
	}
	data, err := base64.StdEncoding.DecodeString(strings.Join(lines, ""))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, m.Attachments[0].Data) {
		t.Errorf("attachment decoded differs from the data attached")
	}
}

// TestMessageShapes checks which MIME structure each combination of body
// and attachments gets.
func TestMessageShapes(t *testing.T) {
	base := mail.Message{From: "psirt@acme.example", To: []string{"a@kunde.example"}, Subject: "s"}
	att := []mail.Attachment{{Filename: "a.json", ContentType: "application/json", Data: []byte("{}")}}
	tests := []struct {
		name  string
		edit  func(*mail.Message)
		shape string
	}{
		{"text", func(m *mail.Message) { m.Text = "t" }, "text/plain"},
		{"html", func(m *mail.Message) { m.HTML = "<p>h</p>" }, "text/html"},
		{"text+html", func(m *mail.Message) { m.Text, m.HTML = "t", "<p>h</p>" }, "multipart/alternative[text/plain text/html]"},
		{"text+attachment", func(m *mail.Message) { m.Text, m.Attachments = "t", att }, "multipart/mixed[text/plain application/json]"},
		{"all", func(m *mail.Message) { m.Text, m.HTML, m.Attachments = "t", "h", append(att, att...) },
			"multipart/mixed[multipart/alternative[text/plain text/html] application/json application/json]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := base
			tt.edit(&m)
			raw, err := m.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			msg, err := netmail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if got := shape(t, msg.Header.Get("Content-Type"), msg.Body); got != tt.shape {
				t.Errorf("shape = %s, want %s", got, tt.shape)
			}
		})
	}
}

func TestMessageFolding(t *testing.T) {
	m := mail.Message{
		From:    "psirt@acme.example",
		To:      []string{"a@kunde.example", "b@kunde.example", "c@kunde.example", "d@kunde.example", "e@kunde.example"},
		Subject: "Security advisory ACME-SA-2026-001: buffer overflow in the monitoring unit firmware, please update now",
		Text:    "t",
	}
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, raw, 76)
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.Header.Get("Subject"); got != m.Subject {
		t.Errorf("Subject = %q, want %q", got, m.Subject)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 5 {
		t.Errorf("To = %v, %v; want 5 addresses", to, err)
	}
}

// TestMessageFoldingEdges covers values that leave the folding little
// choice: runs of spaces, and long values without spaces in a part header.
func TestMessageFoldingEdges(t *testing.T) {
	longType := "application/vnd." + strings.Repeat("x", 90)
	m := mail.Message{
		From:        "psirt@acme.example",
		To:          []string{"a@kunde.example"},
		Subject:     strings.Repeat("word   ", 12) + strings.Repeat(" ", 80) + "end",
		Text:        "t",
		Attachments: []mail.Attachment{{Filename: "a", ContentType: longType, Data: []byte("x")}},
	}
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, raw, 998)
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	// textproto collapses the white space around a fold; the words survive.
	if got := strings.Fields(msg.Header.Get("Subject")); !slices.Equal(got, strings.Fields(m.Subject)) {
		t.Errorf("Subject words = %q, want %q", got, strings.Fields(m.Subject))
	}
	mixed := parts(t, msg.Header.Get("Content-Type"), msg.Body, "multipart/mixed")
	if mt, _, err := mime.ParseMediaType(mixed[1].header.Get("Content-Type")); err != nil || mt != longType {
		t.Errorf("attachment Content-Type = %q (%v), want %s", mixed[1].header.Get("Content-Type"), err, longType)
	}
}

func TestMessageInvalid(t *testing.T) {
	ok := func() mail.Message {
		return mail.Message{From: "psirt@acme.example", To: []string{"a@kunde.example"}, Subject: "s", Text: "t"}
	}
	tests := []struct {
		name string
		edit func(*mail.Message)
		want string // in the error message
	}{
		{"subject CRLF", func(m *mail.Message) { m.Subject = "Hi\r\nBcc: victim@example.com" }, "subject contains a line break"},
		{"subject LF", func(m *mail.Message) { m.Subject = "Hi\nBcc: victim@example.com" }, "subject contains a line break"},
		{"subject CR", func(m *mail.Message) { m.Subject = "Hi\rBcc: victim@example.com" }, "subject contains a line break"},
		{"from CRLF", func(m *mail.Message) { m.From = "psirt@acme.example\r\nBcc: victim@example.com" }, "from contains a line break"},
		{"from name CRLF", func(m *mail.Message) { m.From = "\"PSIRT\r\nBcc: v@example.com\" <psirt@acme.example>" }, "from contains a line break"},
		{"to LF", func(m *mail.Message) { m.To = []string{"a@kunde.example", "b@kunde.example\nBcc: v@example.com"} }, "to[1] contains a line break"},
		{"header value CRLF", func(m *mail.Message) {
			m.Headers = map[string]string{"List-Unsubscribe": "<https://x>\r\nBcc: v@example.com"}
		}, "header List-Unsubscribe contains a line break"},
		{"header name CRLF", func(m *mail.Message) { m.Headers = map[string]string{"X-A\r\nBcc": "v@example.com"} }, "header name"},
		{"header name colon", func(m *mail.Message) { m.Headers = map[string]string{"Bcc: v@example.com\r\nX": "1"} }, "header name"},
		{"header Bcc", func(m *mail.Message) { m.Headers = map[string]string{"bcc": "v@example.com"} }, `header "bcc" cannot be set`},
		{"header Content-Type", func(m *mail.Message) { m.Headers = map[string]string{"Content-Type": "text/html"} }, "cannot be set"},
		{"header non-ASCII", func(m *mail.Message) { m.Headers = map[string]string{"X-Produkt": "Überwachung"} }, "printable ASCII"},
		{"message id CRLF", func(m *mail.Message) { m.MessageID = "<a@b>\r\nBcc: v@example.com" }, "message id contains a line break"},
		{"message id form", func(m *mail.Message) { m.MessageID = "no-at-sign" }, "message id"},
		{"filename CRLF", func(m *mail.Message) {
			m.Attachments = []mail.Attachment{{Filename: "a.json\r\nBcc: v@example.com", Data: []byte("{}")}}
		}, "filename contains a line break"},
		{"content type LF", func(m *mail.Message) {
			m.Attachments = []mail.Attachment{{Filename: "a.json", ContentType: "application/json\nBcc: v@example.com"}}
		}, "content type contains a line break"},
		{"filename path", func(m *mail.Message) { m.Attachments = []mail.Attachment{{Filename: "../a.json"}} }, "not a path"},
		{"content type multipart", func(m *mail.Message) {
			m.Attachments = []mail.Attachment{{Filename: "a", ContentType: "multipart/mixed; boundary=x"}}
		}, "composite"},
		{"no from", func(m *mail.Message) { m.From = "" }, "from: empty address"},
		{"bad from", func(m *mail.Message) { m.From = "not an address" }, "from: address"},
		{"two froms", func(m *mail.Message) { m.From = "a@b.example, c@d.example" }, "from: address"},
		{"no to", func(m *mail.Message) { m.To = nil }, "no recipients"},
		{"non-ASCII address", func(m *mail.Message) { m.To = []string{"jürgen@kunde.example"} }, "SMTPUTF8"},
		{"no body", func(m *mail.Message) { m.Text = "" }, "no body"},
		{"text not UTF-8", func(m *mail.Message) { m.Text = "\xff" }, "text is not valid UTF-8"},
		{"long header", func(m *mail.Message) { m.Headers = map[string]string{"X-Long": strings.Repeat("x", 1000)} }, "longer than 998"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := ok()
			tt.edit(&m)
			raw, err := m.Bytes()
			if err == nil {
				t.Fatalf("Bytes succeeded:\n%s", raw)
			}
			if !errors.Is(err, mail.ErrInvalidMessage) || !mail.IsPermanent(err) {
				t.Errorf("error %v: not ErrInvalidMessage or not permanent", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
	if _, err := ok().Bytes(); err != nil {
		t.Fatalf("the valid message of this test fails: %v", err)
	}
}

// FuzzMessageHeaders checks that whatever goes into the header values,
// a message that builds has exactly the header fields it should: no value
// can add one.
func FuzzMessageHeaders(f *testing.F) {
	f.Add("Hi", "PSIRT", "a@kunde.example", "<https://x>", "a.json", "application/json")
	f.Add("Hi\r\nBcc: v@example.com", "PSIRT\nBcc: v", "a@kunde.example\r\nBcc: v@example.com", "x\rBcc: v", "a\r\n.json", "text/plain\r\nBcc: v@example.com")
	f.Add("Grüße 🚨 =?utf-8?q?x?=", "Müller, Jürgen", "\"a b\"@kunde.example", "\t", "Prüfbericht.json", "application/"+strings.Repeat("x", 100))
	f.Fuzz(func(t *testing.T, subject, name, to, unsub, filename, contentType string) {
		m := mail.Message{
			From:        (&netmail.Address{Name: name, Address: "psirt@acme.example"}).String(),
			To:          []string{to},
			Subject:     subject,
			Text:        "t",
			Headers:     map[string]string{"List-Unsubscribe": unsub},
			Attachments: []mail.Attachment{{Filename: filename, ContentType: contentType, Data: []byte("x")}},
		}
		raw, err := m.Bytes()
		if err != nil {
			if !errors.Is(err, mail.ErrInvalidMessage) {
				t.Fatalf("error not ErrInvalidMessage: %v", err)
			}
			return
		}
		checkLines(t, raw, 998)
		msg, err := netmail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("built message does not parse: %v\n%s", err, raw)
		}
		var keys []string
		for k := range msg.Header {
			keys = append(keys, k)
		}
		want := []string{"Content-Type", "Date", "From", "List-Unsubscribe", "Message-Id", "Mime-Version", "Subject", "To"}
		if subject == "" {
			want = []string{"Content-Type", "Date", "From", "List-Unsubscribe", "Message-Id", "Mime-Version", "To"}
		}
		slices.Sort(keys)
		if diff := cmp.Diff(want, keys); diff != "" {
			t.Fatalf("header fields (-want +got):\n%s\n%s", diff, raw)
		}
		for k, vs := range msg.Header {
			if len(vs) != 1 {
				t.Fatalf("%s appears %d times", k, len(vs))
			}
		}
	})
}

// checkLines fails t if raw has a line longer than max (without CRLF) or a
// CR or LF that is not part of a CRLF.
func checkLines(t *testing.T, raw []byte, max int) {
	t.Helper()
	for i, l := range strings.Split(string(raw), "\r\n") {
		if len(l) > max {
			t.Errorf("line %d has %d characters, more than %d: %q", i+1, len(l), max, l)
		}
		if l != "" && strings.Trim(l, " \t") == "" {
			t.Errorf("line %d is only white space", i+1)
		}
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, l)
		}
	}
}

// parts reads the parts of a multipart body without decoding them.
func parts(t *testing.T, contentType string, body io.Reader, want string) []partView {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != want {
		t.Fatalf("Content-Type %q: want %s (%v)", contentType, want, err)
	}
	r := multipart.NewReader(body, params["boundary"])
	var out []partView
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, partView{header: netmail.Header(p.Header), body: b})
	}
}

type partView struct {
	header netmail.Header
	body   []byte
}

// shape describes a MIME tree as "type[child child]".
func shape(t *testing.T, contentType string, body io.Reader) string {
	t.Helper()
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		return mt
	}
	var kids []string
	for _, p := range parts(t, contentType, body, mt) {
		kids = append(kids, shape(t, p.header.Get("Content-Type"), bytes.NewReader(p.body)))
	}
	return mt + "[" + strings.Join(kids, " ") + "]"
}
