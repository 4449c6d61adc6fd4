// Package service runs the indexer: standalone (cmd/indexer: the MySQL
// binlog into Elasticsearch, with its own /healthz, /readyz and /metrics)
// and as the search side of the core (OpenSearch: an embedded bleve index
// fed in-process when no Elasticsearch is configured, else an Elasticsearch
// client).
package service

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the indexer's configuration, read from CLASSMATE_* variables.
type Config struct {
	// MySQLDSN is the primary whose binlog is read (CLASSMATE_MYSQL_DSN).
	MySQLDSN string
	// ESURL is Elasticsearch's address (CLASSMATE_ES_URL); empty selects
	// the embedded index.
	ESURL string
	// ESAlias is the alias searches use (CLASSMATE_ES_INDEX).
	ESAlias string
	// ESReplicas is the index's number_of_replicas (CLASSMATE_ES_REPLICAS).
	ESReplicas int
	// IndexDir is the embedded index's directory (CLASSMATE_INDEX_DIR);
	// empty means a temporary directory removed at exit.
	IndexDir string
	// ServerID is the replica server id of the binlog reader
	// (CLASSMATE_INDEXER_SERVER_ID); 0 picks a random one.
	ServerID uint32
	// FlushInterval bounds how long a change waits before it is written
	// (CLASSMATE_INDEXER_FLUSH_INTERVAL).
	FlushInterval time.Duration
	// Addr is where the standalone indexer serves /healthz, /readyz and
	// /metrics (CLASSMATE_INDEXER_ADDR).
	Addr     string
	LogLevel string // CLASSMATE_LOG_LEVEL
}

// LoadConfig reads the configuration. CLASSMATE_INDEX_DIR defaults to
// .data/index when the working directory has a .data directory (the
// repository root, where scripts/stack.sh keeps its state), else to a
// temporary directory.
func LoadConfig(getenv func(string) string) (Config, error) {
	env := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		MySQLDSN: env("CLASSMATE_MYSQL_DSN", "classmate:classmate@tcp(127.0.0.1:33061)/classmate"),
		ESURL:    env("CLASSMATE_ES_URL", ""),
		ESAlias:  env("CLASSMATE_ES_INDEX", "classmate-courses"),
		IndexDir: env("CLASSMATE_INDEX_DIR", defaultIndexDir()),
		Addr:     env("CLASSMATE_INDEXER_ADDR", "127.0.0.1:8083"),
		LogLevel: env("CLASSMATE_LOG_LEVEL", "info"),
	}
	id, err := strconv.ParseUint(env("CLASSMATE_INDEXER_SERVER_ID", "0"), 10, 32)
	if err != nil {
		return c, fmt.Errorf("CLASSMATE_INDEXER_SERVER_ID must be an integer 0–4294967295")
	}
	c.ServerID = uint32(id)
	if c.ESReplicas, err = strconv.Atoi(env("CLASSMATE_ES_REPLICAS", "0")); err != nil || c.ESReplicas < 0 {
		return c, fmt.Errorf("CLASSMATE_ES_REPLICAS must be a non-negative integer")
	}
	if c.FlushInterval, err = time.ParseDuration(env("CLASSMATE_INDEXER_FLUSH_INTERVAL", "50ms")); err != nil || c.FlushInterval <= 0 {
		return c, fmt.Errorf("CLASSMATE_INDEXER_FLUSH_INTERVAL must be a positive duration such as 50ms")
	}
	return c, nil
}

func defaultIndexDir() string {
	if fi, err := os.Stat(".data"); err == nil && fi.IsDir() {
		return filepath.Join(".data", "index")
	}
	return ""
}

// LogValue lists the effective configuration with secrets masked.
func (c Config) LogValue() []any {
	engine := "bleve"
	if c.ESURL != "" {
		engine = "elasticsearch"
	}
	return []any{"search_engine", engine, "es_url", c.ESURL, "es_index", c.ESAlias, "index_dir", c.IndexDir,
		"indexer_server_id", c.ServerID, "indexer_flush_interval", c.FlushInterval.String()}
}
