// Command fedcost-agent runs in every cluster: it turns the cluster's Prometheus (or OpenCost)
// data into 1h and 1d cost ETL uploads under <bucket>/federated/<cluster-id>/, spools them
// while the bucket is down and writes a heartbeat. `fedcost-agent simulate` writes synthetic
// fleets. Configuration is by flags with FEDCOST_* environment-variable equivalents (read
// here, in main, only); --help lists them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/fedcost/fedcost/shared/version"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, time.Now, isTerminal(os.Stderr))
	stop()
	os.Exit(code)
}

// run is the whole program; it returns the exit code (0 ok, 1 failure, 2 bad usage).
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now func() time.Time, tty bool) int {
	if len(args) > 0 && args[0] == "simulate" {
		return runSimulateCmd(ctx, args[1:], getenv, stdout, stderr, now, tty)
	}
	c, err := parseRunConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "fedcost-agent: %v\n(see fedcost-agent --help)\n", err)
		return 2
	}
	if c.Version {
		fmt.Fprintln(stdout, "fedcost-agent", version.Version)
		return 0
	}
	level, _ := parseLevel(c.LogLevel)
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	if err := runAgent(ctx, c, log, now); err != nil {
		log.Error("fedcost-agent failed", "err", err)
		return 1
	}
	return 0
}

// isTerminal reports whether f is a character device (a terminal) rather than a pipe or file.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
