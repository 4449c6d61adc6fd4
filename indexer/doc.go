// Package indexer turns rows of the courses table into search documents and
// keeps a search index converging to MySQL (ARCHITECTURE.md, invariant 7).
//
// This root package holds the domain: Document and how it is derived from a
// row, Change and the ordering rule between changes (the row version, with a
// delete beating the live row of the same version), the Sink and
// CheckpointStore interfaces the change data capture writes through, and the
// search Query with its validation and opaque cursors. It imports none of its
// adapters, which live beside it:
//
//   - indexer/binlog reads the primary's row binlog (snapshot, then tail);
//   - indexer/bleve is the embedded index (sink and search);
//   - indexer/elastic is the Elasticsearch sink and search;
//   - indexer/service wires them, for cmd/indexer and for the core, which
//     hosts the embedded index in-process.
//
// The indexer never imports the core: the core imports the indexer.
package indexer
