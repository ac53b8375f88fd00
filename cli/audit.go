package cli

import (
	"fmt"
	"strconv"

	"github.com/cradle-sdl/cradle/store"
)

func runAudit(e *env, args []string) error {
	return subcommand(e, "audit", args, map[string]func(*env, []string) error{"verify": auditVerify, "list": auditList})
}

func auditVerify(e *env, args []string) error {
	fs := e.flags("audit verify", "audit verify",
		"Walk the hash chain of the audit trail and report the first entry that was\naltered, removed or reordered. Exit code 1 when the chain is broken.")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.VerifyAudit(e.ctx)
	if err != nil {
		return err
	}
	if e.json {
		if err := e.printJSON(rep); err != nil {
			return err
		}
	} else if rep.Intact {
		fmt.Fprintf(e.stdout, "Audit trail intact: %d entries, every hash link verified.\n", rep.Entries)
	} else {
		fmt.Fprintf(e.stdout, "AUDIT TRAIL BROKEN at entry %d: %s (%s).\n", rep.Break.Seq, rep.Break.Reason, rep.Break.Detail)
	}
	if !rep.Intact {
		return errReported
	}
	return nil
}

func auditList(e *env, args []string) error {
	fs := e.flags("audit list", "audit list [--entity-type T] [--entity-id ID]", "Show the audit trail, newest first.")
	var f store.AuditFilter
	fs.StringVar(&f.EntityType, "entity-type", "", "product, release, user, token ...")
	fs.StringVar(&f.EntityID, "entity-id", "", "the entity's ID")
	pg := pageFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	items, total, err := db.ListAudit(e.ctx, f, *pg)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"items": nonNil(items), "total": total})
	}
	rows := make([][]string, 0, len(items))
	for _, a := range items {
		rows = append(rows, []string{strconv.FormatInt(a.Seq, 10), a.At.Format("2006-01-02 15:04:05 MST"), a.Actor, a.Action, a.EntityType + " " + a.EntityID})
	}
	e.table([]string{"SEQ", "AT", "ACTOR", "ACTION", "ENTITY"}, rows)
	e.footer(len(items), total, *pg)
	return nil
}
