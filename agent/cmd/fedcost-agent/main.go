// Command fedcost-agent runs in every cluster: it turns the cluster's Prometheus (or OpenCost)
// data into cost ETL uploads. `fedcost-agent simulate` writes synthetic fleets.
package main

import (
	"fmt"
	"os"

	"github.com/fedcost/fedcost/shared/version"
)

func main() {
	fmt.Fprintf(os.Stderr, "fedcost-agent %s: not implemented yet\n", version.Version)
	os.Exit(2)
}
