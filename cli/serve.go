package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/demo"
	"github.com/cradle-sdl/cradle/feeds"
	"github.com/cradle-sdl/cradle/jobs"
	"github.com/cradle-sdl/cradle/mail"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/psirt"
	"github.com/cradle-sdl/cradle/sbom"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/web"
)

func runMigrate(e *env, args []string) error {
	fs := e.flags("migrate", "migrate", "Create or upgrade the database schema (run before serve on PostgreSQL).")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := store.Open(e.ctx, e.dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(e.ctx)
	if err != nil {
		return err
	}
	if err := jobs.Migrate(e.ctx, db); err != nil {
		return err
	}
	cur, _, err := db.SchemaVersion(e.ctx)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"engine": db.Engine(), "applied": nonNil(applied), "version": cur})
	}
	if len(applied) == 0 {
		fmt.Fprintf(e.stdout, "Schema is current (%s, version %d).\n", db.Engine(), cur)
	} else {
		fmt.Fprintf(e.stdout, "Applied %d migration(s); schema is now version %d (%s).\n", len(applied), cur, db.Engine())
	}
	return nil
}

func runServe(e *env, args []string) error {
	fs := e.flags("serve", "serve [--addr HOST:PORT] [--demo]",
		`Run the web UI, the REST API (/api/v1) and background jobs.
On SQLite the schema is created or upgraded on start; on PostgreSQL run
"cradle migrate" first: the server refuses a schema it does not know.
The first start creates an administrator and prints how to sign in.`)
	addr := fs.String("addr", envOr("CRADLE_ADDR", "127.0.0.1:8080"), "listen address (env CRADLE_ADDR)")
	withDemo := fs.Bool("demo", false, "load the sample portfolio if the database has no products")
	maxUpload := fs.Int64("max-upload-size", sbom.DefaultMaxSize, "largest SBOM upload in bytes")
	insecure := fs.Bool("insecure-cookies", false, "send session cookies without the Secure flag (plain HTTP on a non-loopback address)")
	workers := fs.Int("workers", 4, "background jobs worked at once")
	syncEvery := fs.Duration("sync-interval", 6*time.Hour, "how often to sync OSV, KEV and EPSS data (0: never; air-gapped sites use vulndb import)")
	def := feeds.DefaultSources()
	osvBase := fs.String("osv-base", envOr("CRADLE_OSV_BASE", def.OSVBase), "base URL of the OSV archives")
	kevURL := fs.String("kev-url", envOr("CRADLE_KEV_URL", def.KEV), "URL of the CISA KEV catalog")
	epssURL := fs.String("epss-url", envOr("CRADLE_EPSS_URL", def.EPSS), "URL of the FIRST EPSS scores")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	trustProxy := fs.Bool("trust-proxy", false, "take client addresses from X-Forwarded-For (behind a reverse proxy)")
	smtpHost := fs.String("smtp-host", envOr("CRADLE_SMTP_HOST", ""), "SMTP server for customer notifications (env CRADLE_SMTP_HOST; empty: e-mails stay queued)")
	smtpPort := fs.Int("smtp-port", 587, "SMTP port")
	smtpUser := fs.String("smtp-user", envOr("CRADLE_SMTP_USER", ""), "SMTP user name (env CRADLE_SMTP_USER); the password comes from CRADLE_SMTP_PASSWORD")
	smtpFrom := fs.String("smtp-from", envOr("CRADLE_SMTP_FROM", ""), "sender address of notifications, e.g. psirt@example.com")
	smtpTLS := fs.String("smtp-tls", "starttls", "starttls, tls or none (none only to localhost with credentials)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	var mailer *psirt.Mailer
	if *smtpHost != "" {
		if *smtpFrom == "" {
			return usagef("--smtp-from is required with --smtp-host")
		}
		switch *smtpTLS {
		case "starttls", "tls", "none":
		default:
			return usagef("--smtp-tls must be starttls, tls or none; found %q", *smtpTLS)
		}
		mailer = &psirt.Mailer{Sender: &mail.Sender{Host: *smtpHost, Port: *smtpPort, Username: *smtpUser,
			Password: os.Getenv("CRADLE_SMTP_PASSWORD"), From: *smtpFrom, TLS: mail.TLSMode(*smtpTLS)}}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return usagef("--log-level: %v", err)
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))

	db, err := store.Open(e.ctx, e.dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if db.Engine() == store.SQLite {
		if _, err := db.Migrate(e.ctx); err != nil {
			return err
		}
		if err := jobs.Migrate(e.ctx, db); err != nil {
			return err
		}
	}
	if err := db.CheckSchema(e.ctx); err != nil {
		return err
	}
	if err := jobs.CheckSchema(e.ctx, db); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	base := "http://" + ln.Addr().String()
	if err := firstAdmin(e, db, base); err != nil {
		ln.Close()
		return err
	}
	if *withDemo {
		if n, err := demo.Load(e.ctx, db, cradle.Actor{Name: "demo", Via: "cli"}); err != nil {
			ln.Close()
			return fmt.Errorf("load demo portfolio: %w", err)
		} else if n > 0 {
			log.Info("loaded the demo portfolio", "products", n)
		}
	}

	h, err := web.New(db, web.Config{MaxUploadSize: *maxUpload, InsecureCookies: *insecure, Version: Version, TrustProxy: *trustProxy}, log)
	if err != nil {
		ln.Close()
		return err
	}
	host, _ := os.Hostname()
	if mailer != nil {
		mailer.DB = db
	}
	runner, err := jobs.New(db, jobs.Config{Mail: mailer, Instance: fmt.Sprintf("%s:%d:%s", host, os.Getpid(), store.RandomSecret(3)), Workers: *workers,
		SyncEvery: *syncEvery, Sync: monitor.SyncOptions{Sources: feeds.Sources{OSVBase: *osvBase, KEV: *kevURL, EPSS: *epssURL}, KEV: true, EPSS: true}}, log, true)
	if err != nil {
		ln.Close()
		return err
	}
	if err := runner.Start(e.ctx); err != nil {
		ln.Close()
		return fmt.Errorf("start jobs: %w", err)
	}

	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(e.stderr, "cradle %s listening on %s (%s database)\n", Version, base, db.Engine())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-e.ctx.Done():
	}
	fmt.Fprintln(e.stderr, "cradle: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	if jerr := runner.Stop(sctx); jerr != nil && !errors.Is(jerr, context.Canceled) {
		err = errors.Join(err, jerr)
	}
	return err
}

// firstAdmin creates an administrator on a database without users and
// prints the credentials once.
func firstAdmin(e *env, db *store.DB, base string) error {
	n, err := db.CountUsers(e.ctx)
	if err != nil || n > 0 {
		return err
	}
	pw := store.RandomSecret(15)
	u := &cradle.User{Email: "admin@localhost", Name: "Administrator", Role: cradle.RoleAdmin}
	err = db.CreateUser(e.ctx, cradle.Actor{Name: "system", Via: "first start"}, u, pw)
	if cradle.ErrorCode(err) == cradle.EConflict {
		return nil // another replica created it first
	} else if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, `
  First start: created the administrator account.
    Sign in at  %s/login
    E-mail      %s
    Password    %s   (shown only now; create your own users under Admin)

`, base, u.Email, pw)
	return nil
}

func envOr(k, def string) string {
	if v := strings.TrimSpace(os.Getenv(k)); v != "" {
		return v
	}
	return def
}

func runDemo(e *env, args []string) error {
	fs := e.flags("demo", "demo", "Load a small sample portfolio (a fictional industrial product line) into the database.")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := demo.Load(e.ctx, db, cliActor())
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"products_loaded": n})
	}
	if n == 0 {
		fmt.Fprintln(e.stdout, "The database already has products: the demo portfolio was not loaded.")
		return nil
	}
	fmt.Fprintf(e.stdout, "Loaded the demo portfolio: %d products with releases and SBOMs. Try: cradle product list\n", n)
	return nil
}
