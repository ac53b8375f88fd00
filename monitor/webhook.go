package monitor

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cradle-sdl/cradle/store"
)

// Deliverer sends queued notices to webhooks. Each delivery is a POST of
// the notice as JSON, signed: X-Cradle-Signature is "sha256=" and the hex
// HMAC-SHA256 of the body under the webhook's secret, and the timestamp
// in X-Cradle-Timestamp is part of the body. A failed delivery is retried
// with exponential back-off; every attempt is in the delivery log.
type Deliverer struct {
	DB     *store.DB
	Client *http.Client
	// Backoff is the wait after the first failure, doubled after each
	// next one up to MaxBackoff. Defaults 30 s and 6 h.
	Backoff, MaxBackoff time.Duration
	// MaxAttempts is how many times a delivery is tried. Default 10.
	MaxAttempts int
}

// Sign returns the signature header value of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// DeliverDue sends the deliveries whose time has come and returns how many
// succeeded and failed.
func (d *Deliverer) DeliverDue(ctx context.Context) (ok, failed int, err error) {
	backoff, maxBackoff, maxAttempts := d.Backoff, d.MaxBackoff, d.MaxAttempts
	if backoff <= 0 {
		backoff = 30 * time.Second
	}
	if maxBackoff <= 0 {
		maxBackoff = 6 * time.Hour
	}
	if maxAttempts <= 0 {
		maxAttempts = 10
	}
	client := d.Client
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	due, err := d.DB.DueDeliveries(ctx, 100)
	if err != nil {
		return 0, 0, err
	}
	for i := range due {
		dl := &due[i]
		wait := backoff << min(dl.Attempts, 20)
		if wait > maxBackoff || wait <= 0 {
			wait = maxBackoff
		}
		claimed, err := d.DB.ClaimDelivery(ctx, dl, time.Now().Add(wait))
		if err != nil {
			return ok, failed, err
		}
		if !claimed {
			continue
		}
		status, sendErr := send(ctx, client, dl)
		if sendErr == nil {
			ok++
			if err := d.DB.RecordDelivery(ctx, dl.ID, status, "", true, false); err != nil {
				return ok, failed, err
			}
			continue
		}
		failed++
		if err := d.DB.RecordDelivery(ctx, dl.ID, status, sendErr.Error(), false, dl.Attempts >= maxAttempts); err != nil {
			return ok, failed, err
		}
	}
	return ok, failed, nil
}

func send(ctx context.Context, client *http.Client, dl *store.Delivery) (int, error) {
	body, err := json.Marshal(map[string]any{"delivery": dl.ID, "attempt": dl.Attempts, "sent_at": time.Now().UTC().Format(time.RFC3339), "notice": dl.Notice})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dl.Webhook.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "cradle-webhook")
	req.Header.Set("X-Cradle-Event", dl.Notice.Kind)
	req.Header.Set("X-Cradle-Delivery", strconv.FormatInt(dl.ID, 10))
	req.Header.Set("X-Cradle-Signature", Sign(dl.Webhook.Secret, body))
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("the endpoint answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}
