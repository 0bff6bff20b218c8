// Package ingest is the cloud-neutral heart of the aggregator: it turns one bucket event (a
// key, maybe a version) into derived data under federated/combined/, exactly and idempotently,
// whatever the order, duplication, concurrency or loss of events. Every host — AWS Lambda, GCP
// Cloud Functions, the S3 webhook, the local watcher, the reconciler — calls the same Core.
//
// # The unit of work
//
// A window is (cluster, resolution, window start). Its inputs are the two uploads
// federated/<cluster>/etl/{allocations,assets}/<r>/<window>.json.gz; its outputs are three
// Parquet objects at fixed keys (allocations with per-node idle rows, assets, rollups; see
// shared/combined) and the window's manifest, which records the upload versions the outputs
// came from and the versions of the outputs themselves.
//
// # The algorithm (DeriveWindow)
//
// An event is only a hint that a window may have changed. For each attempt:
//
//  1. Read the manifest M and remember its version mv (absent: none).
//  2. Read the current version of both uploads (after M: so whatever M vouches for is never
//     newer than what we read). Validate them. A refused upload is quarantined (a record under
//     federated/quarantine/ and in the cluster's status; the upload is never touched). A
//     refused, empty or vanished upload never replaces derived data of a non-empty one: that
//     input is "kept" — read back from the current outputs.
//  3. Stat every output. If M names exactly the sources we read and every output still has
//     the version M recorded, the window is already derived: done (a duplicate is a no-op).
//  4. Derive the outputs — a pure function of the inputs — and write each with a conditional
//     write against the version seen in step 3 (or create-only when absent). Any
//     precondition failure means another writer is active: back off and restart from 1.
//  5. Compare-and-swap M on mv with the new sources and output versions. A failure means
//     someone derived meanwhile: restart from 1 (which also checks, rather than trusts, a 412
//     that follows a lost success response: the re-read finds our own manifest and stops).
//
// Why it is exact: the manifest only moves by CAS, and a writer that wins the CAS read its
// inputs after the manifest it replaced, so the manifest never regresses to older sources. A
// slow writer that overwrote an output after someone else's manifest landed leaves that
// output's version different from the manifest's, which the next attempt, event or reconcile
// detects in step 3 and repairs. A crash between writes leaves exactly that state too. So after
// events settle (or one reconcile), federated/combined/ equals a sequential derivation of the
// current uploads.
//
// The per-cluster status object is updated by CAS as well; it is derived from what ingestion
// saw (newest upload time, installs, quarantined uploads) so duplicates leave it unchanged but
// for timestamps.
package ingest
