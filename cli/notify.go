package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
)

func runEvents(e *env, args []string) error {
	fs := e.flags("events", "events [--since YYYY-MM-DD]",
		"List notices, newest first: new findings per release, vulnerabilities newly on the\nCISA KEV list (with CRA Art. 14 attention for released products), severity changes.")
	since := fs.String("since", "", "only notices on or after this date")
	pg := pageFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	var t time.Time
	if *since != "" {
		var err error
		if t, err = time.Parse(cradle.DateLayout, *since); err != nil {
			return usagef("--since must be a date YYYY-MM-DD; found %q", *since)
		}
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	items, total, err := db.Notices(e.ctx, t, *pg)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"items": nonNil(items), "total": total})
	}
	if total == 0 {
		fmt.Fprintln(e.stdout, "No notices.")
		return nil
	}
	rows := make([][]string, 0, len(items))
	for _, n := range items {
		rows = append(rows, []string{n.At.Format("2006-01-02 15:04 MST"), n.Kind, n.Summary})
	}
	e.table([]string{"AT", "KIND", "SUMMARY"}, rows)
	e.footer(len(items), total, *pg)
	return nil
}

func runWebhook(e *env, args []string) error {
	return subcommand(e, "webhook", args, map[string]func(*env, []string) error{"create": webhookCreate, "list": webhookList, "log": webhookLog})
}

func webhookCreate(e *env, args []string) error {
	fs := e.flags("webhook create", "webhook create --url URL --secret SECRET [--kind K]...",
		`Send notices to a URL as signed JSON POSTs (X-Cradle-Signature: sha256=HMAC of the body).
Kinds: findings.new, finding.kev, vuln.severity, advisory.published, update.released,
art14.due_soon, art14.overdue (default: all). Failed deliveries are
retried with exponential back-off by the server; see "cradle webhook log".`)
	w := &store.Webhook{}
	fs.StringVar(&w.URL, "url", "", "endpoint URL")
	fs.StringVar(&w.Secret, "secret", "", "shared secret for the signature (at least 16 characters)")
	var kinds multiFlag
	fs.Var(&kinds, "kind", "notice kind to send (repeatable)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	w.Kinds = kinds
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CreateWebhook(e.ctx, cliActor(), w); err != nil {
		return err
	}
	if e.json {
		return e.printJSON(w)
	}
	fmt.Fprintf(e.stdout, "Created webhook %d for %s.\n", w.ID, w.URL)
	return nil
}

func webhookList(e *env, args []string) error {
	fs := e.flags("webhook list", "webhook list", "List webhooks.")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	ws, err := db.Webhooks(e.ctx)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(nonNil(ws))
	}
	rows := make([][]string, 0, len(ws))
	for _, w := range ws {
		kinds := strings.Join(w.Kinds, ",")
		rows = append(rows, []string{strconv.FormatInt(w.ID, 10), w.URL, dateOr(kinds, "all"), strconv.FormatBool(w.Active)})
	}
	e.table([]string{"ID", "URL", "KINDS", "ACTIVE"}, rows)
	return nil
}

func webhookLog(e *env, args []string) error {
	fs := e.flags("webhook log", "webhook log", "Show the delivery log, newest first.")
	pg := pageFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	ds, total, err := db.Deliveries(e.ctx, *pg)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"items": nonNil(ds), "total": total})
	}
	rows := make([][]string, 0, len(ds))
	for _, d := range ds {
		state := "pending"
		switch {
		case !d.DeliveredAt.IsZero():
			state = "delivered " + d.DeliveredAt.Format("2006-01-02 15:04")
		case !d.FailedAt.IsZero():
			state = "gave up"
		case d.Attempts > 0:
			state = "retrying " + d.NextAttempt.Format("15:04:05")
		}
		rows = append(rows, []string{strconv.FormatInt(d.ID, 10), strconv.FormatInt(d.WebhookID, 10), d.Notice.Kind,
			strconv.Itoa(d.Attempts), state, d.LastError})
	}
	e.table([]string{"DELIVERY", "WEBHOOK", "KIND", "ATTEMPTS", "STATE", "LAST ERROR"}, rows)
	e.footer(len(ds), total, *pg)
	return nil
}
