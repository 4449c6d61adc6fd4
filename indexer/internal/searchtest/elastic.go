package searchtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// EnvElasticURL names the variable that points the tests at Elasticsearch.
const EnvElasticURL = "CLASSMATE_ES_URL"

var (
	startOnce sync.Once
	startURL  string
	startErr  error
)

// ElasticURL returns the Elasticsearch the tests use. Unset locally, the
// test skips; with CI=true the tests must run, so it starts one with
// scripts/elasticsearch.sh (once per test binary) and fails the test if
// that fails.
func ElasticURL(tb testing.TB) string {
	tb.Helper()
	if u := os.Getenv(EnvElasticURL); u != "" {
		return u
	}
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); !ci {
		tb.Skipf("%s is unset: the Elasticsearch tests skip. Start it with scripts/elasticsearch.sh up and "+
			`eval "$(scripts/elasticsearch.sh env)", or run make test`, EnvElasticURL)
	}
	startOnce.Do(func() { startURL, startErr = startElastic() })
	if startErr != nil {
		tb.Fatalf("CI=true and %s is unset, and starting Elasticsearch failed: %v", EnvElasticURL, startErr)
	}
	return startURL
}

// startElastic runs scripts/elasticsearch.sh up and env from the
// repository root.
func startElastic() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
	script := filepath.Join(dir, "scripts", "elasticsearch.sh")
	var out bytes.Buffer
	up := exec.Command(script, "up")
	up.Stdout, up.Stderr = &out, &out
	if err := up.Run(); err != nil {
		return "", fmt.Errorf("%s up: %w\n%s", script, err, out.String())
	}
	env, err := exec.Command(script, "env").Output()
	if err != nil {
		return "", fmt.Errorf("%s env: %w", script, err)
	}
	_, u, ok := strings.Cut(strings.TrimSpace(string(env)), "=")
	if !ok {
		return "", fmt.Errorf("%s env printed %q", script, env)
	}
	return strings.Trim(u, `'"`), nil
}
