// Package pricing holds the prices the agent uses when the cluster's Prometheus has no
// OpenCost pricing metrics: an OpenCost-style custom pricing file (JSON or YAML) over
// documented defaults (see README.md for the keys, units and defaults).
//
// Contract:
//   - Every price in a Table is per hour: CPU per core-hour, RAM per GiB-hour, GPU per
//     GPU-hour, storage per GiB-hour (the file's `storage` is per GiB-month and is divided by
//     cost.HoursPerMonth = 730 on parsing), cluster management and load balancers per hour.
//   - Parsing is strict: unknown keys, wrong types, negative or non-numeric prices and duplicate
//     keys are errors naming the key (and the line). Known OpenCost keys fedcost does not use
//     are accepted and ignored, so an OpenCost/Kubecost file works unchanged.
//   - Per node the precedence is: OpenCost pricing metric (applied by the Prometheus source) >
//     instance-type override from this file > spot or on-demand default. Table.ForNode returns
//     the last two; it never reads a clock or the environment.
package pricing
