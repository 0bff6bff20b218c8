// Package cache is the query service's storage-backed source.Source: it serves the derived
// data under federated/combined/ from memory and keeps it current by listing object versions.
//
// Contracts:
//   - Load reads the rollups objects of the retention window (hourly: 49h, daily: 91d by
//     default) and the per-cluster status objects, and keeps the namespace and idle rollup
//     rows in a compact columnar form: per dimension, only the columns that hold a value,
//     strings, label maps and parsed volume maps numbered in one shared dictionary (a
//     namespace repeated over 91 days is stored once). Everything else is read on demand, per
//     (cluster, window) object, and kept in one LRU bounded in bytes: node and controller
//     rollups, container rows (allocations objects: when a query needs pod, container,
//     labels, …) and assets.
//   - Refresh lists versions and reads only objects that are new or whose version changed;
//     removed objects disappear. Nothing is ever re-read wholesale. Where a refresh must read
//     many rollups objects of one window (the cold load), it first reads the window's fleet
//     object (federated/combined/fleet/, written by the reconciler) and takes from it the rows
//     of every cluster whose recorded version is the one listed; the rest are read one by one.
//   - AllocationSetRefs hands the engine lazily built sets with IDs (cache, window generation,
//     view), so the engine's Memo answers a repeated query without building its sets again:
//     the set LRU only saves rebuilding for new query options.
//   - Sets handed out are never modified: a refresh builds new sets for the windows that
//     changed, so engine.Memo (keyed by set identity) never serves stale results. Sets built
//     for a (window, view) are kept in a bounded LRU so repeated queries hit the Memo.
//   - Ready reports true once the first Load completed. The cache holds no state of its own
//     beyond memory: any number of replicas can serve the same bucket.
//   - Which rows answer a query: Needs within {cluster, namespace} → namespace rollups;
//     within {cluster, namespace, controllerKind, controller} → controller rollups; within
//     {cluster, node} → node rollups; anything else → container rows rolled up on the fly
//     over the needed properties (engine.Rollup's result, without its copies). Idle rows come
//     from the rollups objects (dimension idle) in every case.
//   - The shared dictionary only grows (by the distinct names of the rollups seen since
//     start), which is small next to the rows; container rows have their own.
package cache
