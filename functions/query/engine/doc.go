// Package engine computes query results from per-window allocation and asset sets: the
// OpenCost AggregateBy algorithm (idle per cluster or node, shared idle, idle filtration,
// shared namespaces/labels/overhead, split idle), accumulation (all, hour, day, week, month,
// quarter, step), sorting and pagination, and asset aggregation.
//
// The engine never mutates its input sets: a Source may hand out the same cached sets to
// concurrent queries. It also never needs container rows: when Needs says a query only reads,
// say, cluster and namespace, a Source may pass per-namespace rollups (cost.Allocation with
// fewer properties) and the result is the same.
package engine
