// Package jobs runs cradle's background work as jobs stored in the
// database (River), so that several `cradle serve` replicas sharing one
// PostgreSQL never run a job twice, and SQLite deployments need nothing
// else. Jobs are inserted in the same transaction as the change that
// causes them where that matters.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/psirt"
	"github.com/cradle-sdl/cradle/store"
)

// driver returns River's driver for the store's engine. Both take the
// store's writer pool (*sql.DB), so River shares SQLite's single writer
// connection instead of competing with it for the lock.
func driver(db *store.DB) riverdriver.Driver[*sql.Tx] {
	if db.Engine() == store.Postgres {
		return riverdatabasesql.New(db.WriteDB())
	}
	return riversqlite.New(db.WriteDB())
}

// Migrate brings River's own tables up to date.
func Migrate(ctx context.Context, db *store.DB) error {
	m, err := rivermigrate.New(driver(db), nil)
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate job tables: %w", err)
	}
	return nil
}

// CheckSchema returns an error unless River's tables are current.
func CheckSchema(ctx context.Context, db *store.DB) error {
	m, err := rivermigrate.New(driver(db), nil)
	if err != nil {
		return err
	}
	res, err := m.Validate(ctx, nil)
	if err != nil {
		return fmt.Errorf("check job tables: %w", err)
	}
	if !res.OK {
		return cradle.Errorf(cradle.EConflict, "job tables are not current: run `cradle migrate`")
	}
	return nil
}

// AuditVerifyArgs asks for a verification of the audit chain.
type AuditVerifyArgs struct{}

// Kind implements river.JobArgs.
func (AuditVerifyArgs) Kind() string { return "audit.verify" }

// InsertOpts retries a verification that could not read the trail.
func (AuditVerifyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5}
}

type auditVerifyWorker struct {
	river.WorkerDefaults[AuditVerifyArgs]
	db       *store.DB
	instance string
	log      *slog.Logger
}

func (w *auditVerifyWorker) Work(ctx context.Context, job *river.Job[AuditVerifyArgs]) error {
	rep, err := w.db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if !rep.Intact {
		w.log.Error("audit trail is broken", "seq", rep.Break.Seq, "reason", rep.Break.Reason, "detail", rep.Break.Detail)
	}
	if err := w.db.RecordAuditCheck(ctx, job.ID, w.instance, rep); cradle.ErrorCode(err) == cradle.EConflict {
		return nil // recorded by an earlier attempt of this job
	} else if err != nil {
		return err
	}
	return nil
}

// SessionPurgeArgs deletes expired sessions.
type SessionPurgeArgs struct{}

// Kind implements river.JobArgs.
func (SessionPurgeArgs) Kind() string { return "session.purge" }

type sessionPurgeWorker struct {
	river.WorkerDefaults[SessionPurgeArgs]
	db *store.DB
}

func (w *sessionPurgeWorker) Work(ctx context.Context, job *river.Job[SessionPurgeArgs]) error {
	_, err := w.db.PurgeSessions(ctx)
	return err
}

// Config tunes the runner.
type Config struct {
	// Instance names this server in job records (e.g. host:pid).
	Instance string
	// Workers is the number of jobs worked at once.
	Workers int
	// PollInterval is how often idle replicas look for new jobs.
	PollInterval time.Duration
	// AuditEvery is the period of the audit-chain verification (0: daily).
	AuditEvery time.Duration
	// SyncEvery is the period of the vulnerability-data sync; 0 turns the
	// scheduled sync off (air-gapped deployments import files instead).
	SyncEvery time.Duration
	// Sync configures the scheduled sync.
	Sync monitor.SyncOptions
	// Mail, when set, sends the queued customer e-mails every 15 s.
	Mail *psirt.Mailer
}

// DeadlineArgs records notices for CRA Art. 14 deadlines that are due soon
// or passed.
type DeadlineArgs struct{}

// Kind implements river.JobArgs.
func (DeadlineArgs) Kind() string { return "art14.check" }

type deadlineWorker struct {
	river.WorkerDefaults[DeadlineArgs]
	ps *psirt.Service
}

func (w *deadlineWorker) Work(ctx context.Context, job *river.Job[DeadlineArgs]) error {
	_, err := w.ps.CheckDeadlines(ctx)
	return err
}

// MailArgs sends due customer e-mails.
type MailArgs struct{}

// Kind implements river.JobArgs.
func (MailArgs) Kind() string { return "mail.deliver" }

type mailWorker struct {
	river.WorkerDefaults[MailArgs]
	m *psirt.Mailer
}

func (w *mailWorker) Work(ctx context.Context, job *river.Job[MailArgs]) error {
	_, _, err := w.m.DeliverDue(ctx)
	return err
}

// SyncArgs asks for a sync of the vulnerability feeds. Only one runs at a
// time across all replicas.
type SyncArgs struct{}

// Kind implements river.JobArgs.
func (SyncArgs) Kind() string { return "vulndb.sync" }

// InsertOpts makes a pending sync unique: a second request while one
// waits is dropped.
func (SyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

type syncWorker struct {
	river.WorkerDefaults[SyncArgs]
	mon  *monitor.Monitor
	opts monitor.SyncOptions
	log  *slog.Logger
}

func (w *syncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) error {
	for _, r := range w.mon.Sync(ctx, w.opts) {
		if r.Status == "failed" {
			w.log.Warn("vulnerability feed sync failed", "source", r.Source, "err", r.Error)
		} else {
			w.log.Info("vulnerability feed synced", "report", r.String())
		}
	}
	return nil // failures are recorded per source and shown by vulndb status
}

// Timeout allows for large archives on slow links.
func (w *syncWorker) Timeout(*river.Job[SyncArgs]) time.Duration { return 2 * time.Hour }

// DeliverArgs sends due webhook deliveries.
type DeliverArgs struct{}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return "webhooks.deliver" }

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	d *monitor.Deliverer
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	_, _, err := w.d.DeliverDue(ctx)
	return err
}

// RematchArgs asks for a full re-match of the portfolio, which heals
// anything a crash between an import and its matching left behind.
type RematchArgs struct{}

// Kind implements river.JobArgs.
func (RematchArgs) Kind() string { return "vulndb.rematch" }

type rematchWorker struct {
	river.WorkerDefaults[RematchArgs]
	mon *monitor.Monitor
}

func (w *rematchWorker) Work(ctx context.Context, job *river.Job[RematchArgs]) error {
	_, err := w.mon.Rematch(ctx, nil)
	return err
}

// Runner works jobs until stopped.
type Runner struct {
	client *river.Client[*sql.Tx]
}

// New returns a runner that works cradle's jobs against db. With
// work=false it only inserts (for CLI commands that enqueue).
func New(db *store.DB, cfg Config, log *slog.Logger, work bool) (*Runner, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.AuditEvery <= 0 {
		cfg.AuditEvery = 24 * time.Hour
	}
	rc := &river.Config{
		ID:                cfg.Instance,
		Logger:            log.With("component", "jobs"),
		PollOnly:          true, // database/sql drivers have no LISTEN; polling works on both engines
		FetchPollInterval: cfg.PollInterval,
		JobTimeout:        10 * time.Minute,
	}
	if work {
		workers := river.NewWorkers()
		river.AddWorker(workers, &auditVerifyWorker{db: db, instance: cfg.Instance, log: log})
		river.AddWorker(workers, &sessionPurgeWorker{db: db})
		mon := monitor.New(db, log)
		river.AddWorker(workers, &syncWorker{mon: mon, opts: cfg.Sync, log: log})
		river.AddWorker(workers, &rematchWorker{mon: mon})
		river.AddWorker(workers, &deliverWorker{d: &monitor.Deliverer{DB: db}})
		river.AddWorker(workers, &deadlineWorker{ps: psirt.New(db, log)})
		rc.Workers = workers
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}}
		rc.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(cfg.AuditEvery),
				func() (river.JobArgs, *river.InsertOpts) { return AuditVerifyArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return SessionPurgeArgs{}, nil }, nil),
			river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return RematchArgs{}, nil }, nil),
			river.NewPeriodicJob(river.PeriodicInterval(15*time.Second),
				func() (river.JobArgs, *river.InsertOpts) { return DeliverArgs{}, nil }, nil),
			river.NewPeriodicJob(river.PeriodicInterval(5*time.Minute),
				func() (river.JobArgs, *river.InsertOpts) { return DeadlineArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
		}
		if cfg.Mail != nil {
			river.AddWorker(workers, &mailWorker{m: cfg.Mail})
			rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(15*time.Second),
				func() (river.JobArgs, *river.InsertOpts) { return MailArgs{}, nil }, nil))
		}
		if cfg.SyncEvery > 0 {
			rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(cfg.SyncEvery),
				func() (river.JobArgs, *river.InsertOpts) { return SyncArgs{}, nil }, nil))
		}
	}
	c, err := river.NewClient(driver(db), rc)
	if err != nil {
		return nil, fmt.Errorf("job client: %w", err)
	}
	return &Runner{client: c}, nil
}

// Start begins working jobs in the background.
func (r *Runner) Start(ctx context.Context) error { return r.client.Start(ctx) }

// Stop waits for running jobs to finish (or ctx to end).
func (r *Runner) Stop(ctx context.Context) error { return r.client.Stop(ctx) }

// Enqueue inserts a job.
func (r *Runner) Enqueue(ctx context.Context, args river.JobArgs) (int64, error) {
	res, err := r.client.Insert(ctx, args, nil)
	if err != nil {
		return 0, err
	}
	return res.Job.ID, nil
}
