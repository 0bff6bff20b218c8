// Command bootstrap is the fedcost ingest function for AWS Lambda (runtime provided.al2023):
// S3 notifications, SQS batches of them, and the scheduled reconcile. See package
// functions/lambda for the behaviour and the environment it reads.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	awslambda "github.com/aws/aws-lambda-go/lambda"

	"github.com/fedcost/fedcost/functions/lambda"
	"github.com/fedcost/fedcost/shared/ingest"
)

func main() {
	set, err := lambda.SettingsFromEnv(os.Getenv)
	if err != nil {
		fail(err)
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: set.LogLevel}))
	// Built once per execution environment, reused by every invocation.
	st, err := set.OpenStore(context.Background())
	if err != nil {
		fail(err)
	}
	core, err := ingest.New(ingest.Config{Store: st, Logger: log})
	if err != nil {
		fail(err)
	}
	h, err := lambda.New(lambda.Config{Core: core, Bucket: set.Bucket, Prefix: set.Prefix,
		ReconcileBudget: set.ReconcileBudget, Logger: log})
	if err != nil {
		fail(err)
	}
	awslambda.Start(h.Invoke)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "fedcost lambda:", err)
	os.Exit(1)
}
