// Package cache is the query service's storage-backed source.Source: it serves the derived
// data under federated/combined/ from memory and keeps it current by listing object versions.
//
// Contracts:
//   - Load reads the rollups and assets objects of the retention window (hourly: 49h, daily:
//     91d by default) and the per-cluster status objects into a compact columnar form
//     (chunk: dictionary-encoded strings and label maps, float columns stored only when not
//     all zero). Container rows (allocations objects) are read only when a query needs a
//     property the rollups do not keep (pod, container, labels, …), lazily per (cluster,
//     window), and kept in an LRU bounded in bytes.
//   - Refresh lists versions and reads only objects that are new or whose version changed;
//     removed objects disappear. Nothing is ever re-read wholesale.
//   - Sets handed out are never modified: a refresh builds new sets for the windows that
//     changed, so engine.Memo (keyed by set identity) never serves stale results. Sets built
//     for a (window, view) are kept in a bounded LRU so repeated queries hit the Memo.
//   - Ready reports true once the first Load completed. The cache holds no state of its own
//     beyond memory: any number of replicas can serve the same bucket.
//   - Which rows answer a query: Needs within {cluster, namespace} → namespace rollups;
//     within {cluster, namespace, controllerKind, controller} → controller rollups; within
//     {cluster, node} → node rollups; anything else → container rows rolled up on the fly
//     over the needed properties (the engine.Rollup contract). Idle rows come from the
//     rollups objects (dimension idle) in every case.
package cache
