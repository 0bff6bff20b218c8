package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

func init() {
	commands["validate"] = command{summary: "check every upload in a bucket (OK/INVALID per object)", run: runValidate}
}

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, true)
	quiet := fs.Bool("quiet", false, "print only INVALID lines and the summary")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: fedcost validate (--dir DIR | --store federated-store.yaml) [--quiet]

Checks every object under federated/<cluster_id>/ the way the aggregator would: key layout,
gzip and size limits, the document schema, window and cluster id. Prints one line per object,
"OK <key>" or "INVALID <key>: <reason>", then a summary. Derived objects under
federated/combined/ and federated/quarantine/ are counted, not checked.
Exit status: 0 all valid, 1 some invalid, 2 usage or bucket errors.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "validate: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	st, err := sf.open(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "validate: %v\n", err)
		return 2
	}
	defer st.Close()
	var ok, bad, derived int
	err = st.List(ctx, layout.Root, "", func(oi store.ObjectInfo) error {
		verdict := validateObject(ctx, st, oi)
		switch {
		case verdict == errDerived:
			derived++
		case verdict != nil:
			bad++
			fmt.Fprintf(stdout, "INVALID %s: %v\n", oi.Key, verdict)
		default:
			ok++
			if !*quiet {
				fmt.Fprintf(stdout, "OK %s\n", oi.Key)
			}
		}
		return ctx.Err()
	})
	if err != nil {
		fmt.Fprintf(stderr, "validate: listing %s: %v\n", st.Name(), err)
		return 2
	}
	fmt.Fprintf(stdout, "%d objects: %d ok, %d invalid (%d derived objects under federated/combined and federated/quarantine not checked)\n", ok+bad, ok, bad, derived)
	if bad > 0 {
		return 1
	}
	return 0
}

var errDerived = errors.New("derived object")

// validateObject returns nil for a valid upload or heartbeat, errDerived for the aggregator's
// own objects, and the reason otherwise.
func validateObject(ctx context.Context, st store.Store, oi store.ObjectInfo) error {
	p, err := layout.Parse(oi.Key)
	if err != nil {
		return err
	}
	switch p.Class {
	case layout.CombinedClass, layout.QuarantineClass:
		return errDerived
	case layout.Other:
		return errors.New("not a fedcost upload (want federated/<cluster_id>/etl/<kind>/<1h|1d>/<start>-<end>.json.gz or federated/<cluster_id>/heartbeat.json)")
	}
	if oi.Size > etl.DefaultLimits.MaxCompressed {
		return fmt.Errorf("compressed_too_large: %d bytes, limit %d", oi.Size, etl.DefaultLimits.MaxCompressed)
	}
	data, _, err := st.Get(ctx, oi.Key)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if p.Class == layout.HeartbeatClass {
		_, err = etl.DecodeHeartbeat(data, p.Cluster)
		return err
	}
	_, err = etl.Decode(data, p.Upload, etl.Limits{})
	return err
}
