package binlog

import (
	"time"

	"github.com/VictoriaMetrics/metrics"

	"classmate/indexer"
)

// lagBuckets are the upper bounds of the lag histogram, in seconds.
var lagBuckets = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300}

// Metrics of the change data capture, in the default VictoriaMetrics set
// (served by /metrics of the process that hosts the indexer).
var (
	// lag is the time from a change's binlog event (updated_at when it
	// has microseconds, else the header's whole second) to the flush that
	// made it searchable.
	lag = metrics.GetOrCreatePrometheusHistogramExt("classmate_indexer_lag_seconds", lagBuckets)
	// changesTotal counts row changes flushed to the sink.
	changesTotal = metrics.GetOrCreateCounter("classmate_indexer_changes_total")
	// batchesTotal counts flushes (with their checkpoint).
	batchesTotal = metrics.GetOrCreateCounter("classmate_indexer_commits_total")
	// snapshotsTotal counts snapshots taken (first starts and re-snapshots).
	snapshotsTotal = metrics.GetOrCreateCounter("classmate_indexer_snapshots_total")
)

// observeLag records one change's lag, in the histogram and in the
// optional observer.
func observeLag(c indexer.Change, d time.Duration, observe func(indexer.Change, time.Duration)) {
	lag.Update(max(d, 0).Seconds())
	if observe != nil {
		observe(c, d)
	}
}
