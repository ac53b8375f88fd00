// Command cradle runs a manufacturer's secure product development
// lifecycle: portfolio, SBOMs, audit trail, web UI and API. See `cradle help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/cradle-sdl/cradle/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
