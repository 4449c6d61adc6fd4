// Package infra_test checks the operations files against the running
// services: every metric that a Grafana dashboard (infra/grafana/dashboards)
// or a Prometheus rule (infra/prometheus/rules) names must be exported by a
// service, with the labels the query filters and groups on. It starts the
// real core, gate and indexer in-process on a fresh database, drives some
// traffic through them (login, queue, admission, enrollments, a
// reconcile), scrapes their /metrics and compares.
package infra_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"classmate/core/demo"
	coreservice "classmate/core/service"
	gateservice "classmate/gate/service"
	indexerservice "classmate/indexer/service"
	"classmate/internal/dbtest"
)

// external lists the metrics the dashboards and rules take from exporters
// and from Prometheus itself, which no classmate service exports. Each must
// be named here on purpose (with its source), so a typo in one still fails.
var external = map[string]string{
	"up": "prometheus",
	"mysql_slave_status_seconds_behind_source": "mysqld_exporter (MySQL 8.0.22+ column names)",
	"mysql_slave_status_seconds_behind_master": "mysqld_exporter (older column names)",
	"mysql_global_status_threads_running":      "mysqld_exporter",
	"mysql_global_status_threads_connected":    "mysqld_exporter",
	"redis_memory_used_bytes":                  "redis_exporter",
	"redis_memory_max_bytes":                   "redis_exporter",
	"redis_connected_clients":                  "redis_exporter",
	"redis_commands_processed_total":           "redis_exporter",
	"elasticsearch_cluster_health_status":      "elasticsearch_exporter",
}

// TestDashboardsAndAlertsUseExportedMetrics is the check itself.
func TestDashboardsAndAlertsUseExportedMetrics(t *testing.T) {
	refs := references(t)
	require.NotEmpty(t, refs, "no queries found in the dashboards and rules")
	exported := runServices(t)
	for _, p := range problems(refs, exported) {
		t.Error(p)
	}
}

// TestCheckFindsMissingMetrics proves the comparison fails on what it must:
// an unknown metric, a misspelt label, a label value no series has.
func TestCheckFindsMissingMetrics(t *testing.T) {
	t.Parallel()
	exported := parseExposition(t, strings.NewReader(strings.Join([]string{
		`# TYPE classmate_http_request_duration_seconds histogram`,
		`classmate_http_request_duration_seconds_bucket{service="core",route="enroll",status="201",le="0.1"} 3`,
		`classmate_http_request_duration_seconds_count{service="core",route="enroll",status="201"} 3`,
		`classmate_enrollments_committed_total 3`,
	}, "\n")), "core")
	for _, tc := range []struct {
		name, expr string
		ok         bool
	}{
		{"OK", `sum by (status) (rate(classmate_http_request_duration_seconds_count{service="core",route="enroll"}[1m]))`, true},
		{"OKHistogram", `histogram_quantile(0.99, sum by (le) (rate(classmate_http_request_duration_seconds_bucket[5m])))`, true},
		{"OKExternal", `up{job="core"} == 0`, true},
		{"UnknownMetric", `rate(classmate_enrolments_committed_total[1m])`, false},
		{"UnknownLabel", `sum by (rout) (rate(classmate_http_request_duration_seconds_count[1m]))`, false},
		{"UnknownLabelValue", `rate(classmate_http_request_duration_seconds_count{route="enrol"}[1m])`, false},
		{"HistogramWithoutSuffix", `rate(classmate_http_request_duration_seconds[1m])`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := problems([]ref{{where: tc.name, expr: tc.expr}}, exported)
			if tc.ok {
				assert.Empty(t, got)
			} else {
				assert.NotEmpty(t, got)
			}
		})
	}
}

// ---------------------------------------------------------------- queries

// ref is one PromQL expression and where it was found.
type ref struct {
	where, expr string
}

// references collects every query of the dashboards and every rule
// expression.
func references(t *testing.T) []ref {
	t.Helper()
	var out []ref
	dashboards, err := filepath.Glob("grafana/dashboards/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, dashboards)
	for _, f := range dashboards {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var d any
		require.NoError(t, json.Unmarshal(b, &d), f)
		walkExprs(d, f, "", &out)
	}
	rules, err := filepath.Glob("prometheus/rules/*.yml")
	require.NoError(t, err)
	require.NotEmpty(t, rules)
	for _, f := range rules {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var rf struct {
			Groups []struct {
				Name  string `yaml:"name"`
				Rules []struct {
					Alert  string `yaml:"alert"`
					Record string `yaml:"record"`
					Expr   string `yaml:"expr"`
				} `yaml:"rules"`
			} `yaml:"groups"`
		}
		require.NoError(t, yaml.Unmarshal(b, &rf), f)
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				out = append(out, ref{where: fmt.Sprintf("%s: %s", f, r.Alert+r.Record), expr: r.Expr})
			}
		}
	}
	return out
}

// walkExprs finds the "expr" of every panel target, naming it by the
// panel's title.
func walkExprs(v any, file, title string, out *[]ref) {
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x["title"].(string); ok {
			title = s
		}
		if e, ok := x["expr"].(string); ok {
			*out = append(*out, ref{where: fmt.Sprintf("%s: panel %q", file, title), expr: e})
		}
		for _, c := range x {
			walkExprs(c, file, title, out)
		}
	case []any:
		for _, c := range x {
			walkExprs(c, file, title, out)
		}
	}
}

// selector is a metric named in a query, with the labels it filters on
// (label → value for equality matchers, "" for others) and groups by.
type selector struct {
	name     string
	matchers map[string]string
	grouping []string
}

// parseQuery finds the metric selectors of a PromQL expression. It is a
// lexer, not a parser: enough for names, label matchers and by/without
// lists, which is what the check compares. A prefix `by (l) (…)` applies to
// every selector inside the parentheses that follow it; a postfix one to
// the selector just before it.
func parseQuery(expr string) []selector {
	type group struct {
		labels []string
		depth  int
	}
	var out []selector
	var groups []group
	depth := 0
	s := expr
	i := 0
	skipSpace := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
	}
	active := func() []string {
		var l []string
		for _, g := range groups {
			l = append(l, g.labels...)
		}
		return l
	}
	for i < len(s) {
		c := s[i]
		switch {
		case c == '#': // comment
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'' || c == '`':
			i = skipString(s, i)
		case c == '[': // range or subquery duration
			for i < len(s) && s[i] != ']' {
				i++
			}
			i++
		case c == '{': // a selector without a name
			_, i = parseMatchers(s, i)
		case c == '$': // a Grafana variable
			i++
			for i < len(s) && isIdent(s[i]) {
				i++
			}
		case c >= '0' && c <= '9' || c == '.':
			for i < len(s) && (isIdent(s[i]) || s[i] == '.') {
				i++
			}
		case c == '(':
			depth++
			i++
		case c == ')':
			depth--
			for len(groups) > 0 && groups[len(groups)-1].depth > depth {
				groups = groups[:len(groups)-1]
			}
			i++
		case isIdentStart(c):
			start := i
			for i < len(s) && isIdent(s[i]) {
				i++
			}
			word := s[start:i]
			skipSpace()
			switch {
			case slices.Contains([]string{"by", "without", "on", "ignoring", "group_left", "group_right"}, word):
				if i >= len(s) || s[i] != '(' {
					continue
				}
				labels, end := parseList(s, i)
				i = end
				if word != "by" && word != "without" {
					continue
				}
				skipSpace()
				if i < len(s) && s[i] == '(' {
					// Prefix: for what the next parentheses hold.
					groups = append(groups, group{labels: labels, depth: depth + 1})
				} else if len(out) > 0 {
					// Postfix: for the aggregation just read.
					out[len(out)-1].grouping = append(out[len(out)-1].grouping, labels...)
				}
			case slices.Contains([]string{"and", "or", "unless", "bool", "offset", "inf", "nan", "Inf", "NaN", "atan2"}, word):
			case i < len(s) && s[i] == '(': // a function or an aggregation
			case strings.HasPrefix(s[i:], "by") || strings.HasPrefix(s[i:], "without"): // sum by (…) (…)
			default:
				sel := selector{name: word, matchers: map[string]string{}, grouping: active()}
				if i < len(s) && s[i] == '{' {
					sel.matchers, i = parseMatchers(s, i)
				}
				out = append(out, sel)
			}
		default:
			i++
		}
	}
	return out
}

func isIdentStart(c byte) bool {
	return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdent(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func skipString(s string, i int) int {
	q := s[i]
	i++
	for i < len(s) && s[i] != q {
		if s[i] == '\\' && q != '`' {
			i++
		}
		i++
	}
	return i + 1
}

// parseMatchers reads {label op "value", …} from s[i] == '{'.
func parseMatchers(s string, i int) (map[string]string, int) {
	m := map[string]string{}
	end := strings.IndexByte(s[i:], '}')
	if end < 0 {
		return m, len(s)
	}
	body := s[i+1 : i+end]
	for _, part := range splitOutsideQuotes(body) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k := 0
		for k < len(part) && isIdent(part[k]) {
			k++
		}
		label := part[:k]
		rest := strings.TrimSpace(part[k:])
		value := ""
		if strings.HasPrefix(rest, "=") && !strings.HasPrefix(rest, "=~") {
			if v, err := strconv.Unquote(strings.TrimSpace(rest[1:])); err == nil {
				value = v
			}
		}
		m[label] = value
	}
	return m, i + end + 1
}

func splitOutsideQuotes(s string) []string {
	var out []string
	start, inQuote := 0, byte(0)
	for i := 0; i < len(s); i++ {
		switch {
		case inQuote != 0 && s[i] == '\\':
			i++
		case inQuote != 0 && s[i] == inQuote:
			inQuote = 0
		case inQuote == 0 && (s[i] == '"' || s[i] == '\''):
			inQuote = s[i]
		case inQuote == 0 && s[i] == ',':
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// parseList reads (a, b, c) from s[i] == '('.
func parseList(s string, i int) ([]string, int) {
	end := strings.IndexByte(s[i:], ')')
	if end < 0 {
		return nil, len(s)
	}
	var out []string
	for _, p := range strings.Split(s[i+1:i+end], ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out, i + end + 1
}

// ---------------------------------------------------------------- comparison

// series is what the services export: metric name → label → values, and
// which service exported it.
type series struct {
	labels map[string]map[string]map[string]bool
	from   map[string]string
}

// problems compares the selectors of refs with what the services export.
func problems(refs []ref, exported *series) []string {
	var out []string
	for _, r := range refs {
		for _, sel := range parseQuery(r.expr) {
			if _, ok := external[sel.name]; ok {
				continue
			}
			labels, ok := exported.labels[sel.name]
			if !ok {
				out = append(out, fmt.Sprintf("%s: metric %s is exported by no service (query: %s)", r.where, sel.name, oneLine(r.expr)))
				continue
			}
			for l, v := range sel.matchers {
				if l == "__name__" || l == "job" || l == "instance" {
					continue
				}
				values, ok := labels[l]
				switch {
				case !ok:
					out = append(out, fmt.Sprintf("%s: metric %s has no label %q (query: %s)", r.where, sel.name, l, oneLine(r.expr)))
				case v != "" && !values[v]:
					out = append(out, fmt.Sprintf("%s: no series %s{%s=%q} after the test traffic; values seen: %s", r.where, sel.name, l, v, keys(values)))
				}
			}
			for _, l := range sel.grouping {
				if l == "le" && strings.HasSuffix(sel.name, "_bucket") || l == "job" || l == "instance" {
					continue
				}
				if _, ok := labels[l]; !ok {
					out = append(out, fmt.Sprintf("%s: metric %s has no label %q to group by (query: %s)", r.where, sel.name, l, oneLine(r.expr)))
				}
			}
		}
	}
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func keys(m map[string]bool) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// parseExposition reads the Prometheus text format into s (a new one when
// s is nil is made by the caller's first call).
func parseExposition(t testing.TB, r io.Reader, service string, into ...*series) *series {
	t.Helper()
	s := &series{labels: map[string]map[string]map[string]bool{}, from: map[string]string{}}
	if len(into) > 0 {
		s = into[0]
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		end := strings.IndexAny(line, "{ ")
		if end < 0 {
			continue
		}
		name := line[:end]
		if s.labels[name] == nil {
			s.labels[name] = map[string]map[string]bool{}
			s.from[name] = service
		}
		if line[end] == '{' {
			m, _ := parseMatchers(line, end)
			for k, v := range m {
				if s.labels[name][k] == nil {
					s.labels[name][k] = map[string]bool{}
				}
				s.labels[name][k][v] = true
			}
		}
	}
	require.NoError(t, sc.Err())
	return s
}

// ---------------------------------------------------------------- services

// runServices starts the core, the gate and (with Elasticsearch) the
// indexer on a fresh database, sends traffic and returns the union of
// their /metrics.
func runServices(t *testing.T) *series {
	db := dbtest.MustOpenDB(t)
	_, prefix := dbtest.MustOpenRedis(t)
	loaded, err := demo.Load(context.Background(), db.DB, 50, 20)
	require.NoError(t, err)
	require.True(t, loaded)

	env := map[string]string{
		"CLASSMATE_ENV":                    "development",
		"CLASSMATE_CORE_ADDR":              "127.0.0.1:0",
		"CLASSMATE_GATE_ADDR":              "127.0.0.1:0",
		"CLASSMATE_INDEXER_ADDR":           "127.0.0.1:0",
		"CLASSMATE_MYSQL_DSN":              db.DSN,
		"CLASSMATE_MYSQL_REPLICA_DSN":      db.DSN,
		"CLASSMATE_REDIS_ADDR":             os.Getenv("CLASSMATE_REDIS_ADDR"),
		"CLASSMATE_REDIS_PREFIX":           prefix,
		"CLASSMATE_RECONCILE_INTERVAL":     "1s",
		"CLASSMATE_GATE_ROOM":              "infra" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36),
		"CLASSMATE_ES_INDEX":               "t" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-courses",
		"CLASSMATE_INDEXER_FLUSH_INTERVAL": "20ms",
	}
	getenv := func(k string) string { return env[k] }
	core := start(t, "core", coreservice.Run, getenv)
	env["CLASSMATE_CORE_URLS"] = "http://" + core
	gate := start(t, "gate", gateservice.Run, getenv)

	targets := map[string]string{"core": core, "gate": gate}
	esURL := os.Getenv("CLASSMATE_ES_URL")
	switch {
	case esURL != "":
		env["CLASSMATE_ES_URL"] = esURL
		targets["indexer"] = start(t, "indexer", indexerservice.Run, getenv)
	case os.Getenv("CI") == "true":
		t.Fatal("CI=true but CLASSMATE_ES_URL is unset: the indexer needs Elasticsearch (make test starts scripts/elasticsearch.sh)")
	default:
		t.Log("indexer: not started, CLASSMATE_ES_URL is unset (scripts/elasticsearch.sh up). Its classmate_indexer_* " +
			"metrics are still checked: they are registered when its packages load, and this process imports them.")
	}

	traffic(t, "http://"+gate, "http://"+core)

	var exported *series
	for _, name := range []string{"core", "gate", "indexer"} {
		addr, ok := targets[name]
		if !ok {
			continue
		}
		resp, err := http.Get("http://" + addr + "/metrics")
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, 200, resp.StatusCode, "%s /metrics", name)
		if exported == nil {
			exported = parseExposition(t, bytes.NewReader(body), name)
		} else {
			parseExposition(t, bytes.NewReader(body), name, exported)
		}
	}
	t.Logf("%d metric names exported by %v", len(exported.labels), slices.Sorted(func(yield func(string) bool) {
		for k := range targets {
			if !yield(k) {
				return
			}
		}
	}))
	return exported
}

// start runs a service's Run in the background until the test ends and
// returns its address.
func start(t *testing.T, name string, run func(context.Context, func(string) string, io.Writer, func(string)) error, getenv func(string) string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, getenv, io.Discard, func(a string) { addrs <- a }) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err, "%s shut down", name)
		case <-time.After(20 * time.Second):
			t.Errorf("%s did not shut down", name)
		}
	})
	select {
	case a := <-addrs:
		waitReady(t, name, "http://"+a+"/readyz")
		return a
	case err := <-done:
		t.Fatalf("%s: %v", name, err)
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not start", name)
	}
	return ""
}

func waitReady(t *testing.T, name, url string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is not ready after 60s (last: %v)", name, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// traffic drives what a student does during the opening through the gate:
// log in, join the queue, wait for admission, enroll (twice in one course:
// a commit, then a fast reject), read a course; and an admin reconcile on
// the core.
func traffic(t *testing.T, gate, core string) {
	t.Helper()
	var login struct {
		SessionToken string `json:"session_token"`
	}
	call(t, "POST", gate+"/api/v1/auth/login", "", `{"student_no":"2026000001","password":"classmate"}`, 200, &login)
	require.NotEmpty(t, login.SessionToken)

	var ticket struct {
		Ticket         string `json:"ticket"`
		State          string `json:"state"`
		AdmissionToken string `json:"admission_token"`
	}
	call(t, "POST", gate+"/queue/v1/join", login.SessionToken, "", 200, &ticket)
	deadline := time.Now().Add(30 * time.Second)
	for ticket.AdmissionToken == "" {
		require.True(t, time.Now().Before(deadline), "not admitted within 30s (state %q)", ticket.State)
		time.Sleep(100 * time.Millisecond)
		call(t, "GET", gate+"/queue/v1/status", login.SessionToken, "", 200, &ticket)
	}

	call(t, "POST", gate+"/api/v1/enrollments", ticket.AdmissionToken, `{"course_id":1}`, 201, nil)
	call(t, "POST", gate+"/api/v1/enrollments", ticket.AdmissionToken, `{"course_id":1}`, 409, nil)
	call(t, "GET", gate+"/api/v1/courses/1", "", "", 200, nil)
	call(t, "GET", gate+"/api/v1/enrollments", ticket.AdmissionToken, "", 200, nil)
	call(t, "POST", core+"/admin/v1/seats/reconcile", coreservice.DevAdminToken, "", 200, nil)
	// A period of the reconciler, a few hub ticks and indexer flushes.
	time.Sleep(1500 * time.Millisecond)
}

func call(t *testing.T, method, url, bearer, body string, want int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, want, resp.StatusCode, "%s %s: %s", method, url, b)
	if out != nil {
		require.NoError(t, json.Unmarshal(b, out), "%s %s: %s", method, url, b)
	}
}
