package psirt_test

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/mail"
	"github.com/cradle-sdl/cradle/mail/smtptest"
	"github.com/cradle-sdl/cradle/psirt"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

// A security update queues a mail per subscriber; the mailer delivers it
// through a real SMTP conversation, retries after a temporary failure and
// gives up after a permanent one.
func TestMailerDeliversThroughSMTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, s := portfolio(t, db)
		srv := smtptest.Start(t, smtptest.WithSTARTTLS(), smtptest.WithAuth("cradle", "s3cret"))
		sender := &mail.Sender{Host: srv.Host(), Port: srv.Port(), Username: "cradle", Password: "s3cret", From: "psirt@northwind.example", TLS: mail.TLSStartTLS}
		sender.TLSConfig = &tls.Config{RootCAs: srv.RootCAs(), ServerName: srv.Host()}
		m := &psirt.Mailer{DB: db, Sender: sender, Backoff: time.Millisecond, MaxBackoff: time.Millisecond}

		c, err := s.Open(ctx, actor, psirt.NewCase{Title: "flood", VulnID: "CVE-2023-45288", Suggest: true, AwareAt: time.Now().Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range []string{"a@customer.example", "b@customer.example", "bounce@customer.example"} {
			if err := db.AddSubscriber(ctx, actor, &cradle.Subscriber{Email: e}); err != nil {
				t.Fatal(err)
			}
		}
		u := &cradle.SecurityUpdate{AvailableAt: time.Now().Add(-time.Minute), Summary: "Fixes the flood", Install: "Upload", Verify: "Check",
			Qualification: "CI", ArtifactHash: strings.Repeat("0", 64), Cases: []string{c.Ref}}
		if err := db.CreateSecurityUpdate(ctx, actor, "GW", "3", u, s.ComposeUpdate); err != nil {
			t.Fatal(err)
		}
		srv.Fail(smtptest.StageData, 451, "try later")
		sent, failed, err := m.DeliverDue(ctx)
		if err != nil || sent != 0 || failed != 3 {
			t.Fatalf("first round: sent %d failed %d %v", sent, failed, err)
		}
		srv.Fail(smtptest.StageData, 0, "")
		time.Sleep(5 * time.Millisecond)
		sent, failed, err = m.DeliverDue(ctx)
		if err != nil || sent != 3 || failed != 0 {
			t.Fatalf("second round: sent %d failed %d %v", sent, failed, err)
		}
		got := srv.Wait(3, 5*time.Second)
		if !strings.Contains(string(got[0].Data), "Subject: Security update GW 3") || !got[0].TLS || got[0].Username != "cradle" {
			t.Fatalf("mail: %+v %s", got[0], got[0].Data)
		}
		// A permanent refusal is not retried.
		srv.Fail(smtptest.StageRcpt, 550, "no such user")
		u2 := &cradle.SecurityUpdate{AvailableAt: time.Now().Add(-time.Minute), Summary: "Backport", Install: "Upload", Verify: "Check",
			Qualification: "CI", ArtifactHash: strings.Repeat("1", 64), Cases: []string{c.Ref}}
		if err := db.CreateSecurityUpdate(ctx, actor, "GW", "2", u2, s.ComposeUpdate); err != nil {
			t.Fatal(err)
		}
		if sent, failed, err = m.DeliverDue(ctx); err != nil || sent != 0 || failed != 3 {
			t.Fatalf("permanent failures: sent %d failed %d %v", sent, failed, err)
		}
		logs, _ := db.MailLogs(ctx, 10)
		var delivered, gaveUp int
		for _, l := range logs {
			if !l.DeliveredAt.IsZero() {
				delivered++
			}
			if !l.FailedAt.IsZero() && strings.Contains(l.LastError, "550") {
				gaveUp++
			}
		}
		if delivered != 3 || gaveUp != 3 {
			t.Fatalf("mail log: %d delivered, %d given up: %+v", delivered, gaveUp, logs)
		}
		// Nothing is due any more.
		time.Sleep(5 * time.Millisecond)
		if sent, failed, _ := m.DeliverDue(ctx); sent+failed != 0 {
			t.Fatalf("third round sent %d failed %d", sent, failed)
		}
	})
}
