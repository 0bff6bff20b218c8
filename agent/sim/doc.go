// Package sim generates deterministic, realistic synthetic fleets and writes them to a store
// exactly as fedcost-agent would: the same upload keys, the same ETL documents (etl.Encode) and
// one heartbeat per cluster. It serves the demo, benchmarks and tests elsewhere.
//
// Contracts:
//   - Determinism: the data depends only on (Seed, cluster id, ContainersPerDay, window); with
//     the same Options (including End) Generate writes byte-identical objects.
//   - Consistency: a container instance runs over [start, end) at constant rates, so a daily
//     window's costs equal the sum of its 24 hourly windows (up to float rounding), and the open
//     window at time t holds exactly the clipped part [window start, t).
//   - Exact totals: Summary reports, per cluster and resolution, the sum of Allocation.TotalCost
//     and Asset.TotalCost of what was written (summed in a fixed order), plus the idle cost
//     (cost.ComputeIdle) so that reconciliation tests can compare against derived data.
//
// The model: providers (AWS, GCP, Azure) with regions and node types priced per CPU-hour and
// RAM-GiB-hour; skewed cluster, namespace and workload sizes; deployments (with daily rollouts
// and business-hours autoscaling), statefulsets with persistent volumes, daemonsets, and jobs
// that start and end mid-window; labels (app, team, env) and annotations; on-demand, discounted
// and spot nodes; load balancers; cluster-management fees; and nodes that are never fully
// allocated, which leaves idle cost.
package sim
