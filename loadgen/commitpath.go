package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// runS6 runs the core's own benchmarks with go test, in the module root:
// BenchmarkCommit (S6: the enrollment store's durable commits, one
// enrollment per transaction vs the group commit, same run, same data) and
// BenchmarkHotCourse (S2 in process: the naive path vs the project's,
// through the HTTP handler without network). It needs the go toolchain and
// the CLASSMATE_* variables of the local stack.
func runS6(ctx context.Context, e *Env) (*Scenario, error) {
	bt := e.Cfg.S6.Benchtime
	sc := &Scenario{
		Measures: "go test -bench in core/mysql and core/http, in the load generator's environment: BenchmarkCommit " +
			"calls the MySQL enrollment store directly (no HTTP, no Redis): 4,000 students enroll at once, 256 at a " +
			"time, in one hot course or spread over 200, with batch=1 (one enrollment per transaction, the baseline) " +
			"and batch=32 (the project's group commit), each on a fresh database. BenchmarkHotCourse sends S2's burst " +
			"(5,000 students, 100 seats) through the core's HTTP handler in process: naive (no Redis filter, one " +
			"transaction per attempt), mysql-batched (no filter, group commit) and project.",
		Params: map[string]any{"benchtime": bt},
	}
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^(BenchmarkCommit|BenchmarkHotCourse)$",
		"-benchtime", bt, "-timeout", "30m", "./core/mysql/", "./core/http/")
	cmd.Dir = e.Cfg.Repo
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	e.logf("S6: go test -bench 'BenchmarkCommit|BenchmarkHotCourse' -benchtime %s ./core/mysql/ ./core/http/", bt)
	err := cmd.Run()
	got := parseBench(out.String())
	if err != nil && len(got) == 0 {
		return sc, fmt.Errorf("go test: %v\n%s", err, lastLines(out.String(), 20))
	}
	sc.Extra = map[string]string{"go_test_output": lastLines(out.String(), 40)}
	v := func(name, unit string) float64 { return got[name+" "+unit] }
	hot1, hot32 := v("BenchmarkCommit/hot/batch=1", "commits/s"), v("BenchmarkCommit/hot/batch=32", "commits/s")
	sp1, sp32 := v("BenchmarkCommit/spread200/batch=1", "commits/s"), v("BenchmarkCommit/spread200/batch=32", "commits/s")
	naive := v("BenchmarkHotCourse/naive", "attempts/s")
	batched := v("BenchmarkHotCourse/mysql-batched", "attempts/s")
	project := v("BenchmarkHotCourse/project", "attempts/s")
	e.Ceilings["s6_spread_batch1"] = figure("s6_spread_batch1", "one enrollment per transaction, 200 courses", "commits/s", sp1, 0, "")
	e.Ceilings["s6_hot_batch1"] = figure("s6_hot_batch1", "one enrollment per transaction, hot course", "commits/s", hot1, 0, "")
	e.Ceilings["s2_inproc_naive"] = figure("s2_inproc_naive", "S2 in process, naive path", "attempts/s", naive, 0, "")
	sc.Figures = []Figure{
		figure("hot", "durable commits/s, 1 hot course", "commits/s", hot32, hot1, "one per transaction").
			original("~100 commits/s").target("≥ 10× the one-per-transaction baseline", "ratio>=", 10),
		figure("spread", "durable commits/s, 200 courses", "commits/s", sp32, sp1, "one per transaction").original("~100 commits/s"),
		figure("s2_inproc", "S2 in process: attempts/s", "attempts/s", project, naive, "naive path"),
		figure("s2_inproc_batched", "S2 in process, group commit without the Redis filter", "attempts/s", batched, naive, "naive path"),
		figure("s2_inproc_p99", "S2 in process: p99", "ms", v("BenchmarkHotCourse/project", "p99-ms"),
			v("BenchmarkHotCourse/naive", "p99-ms"), "naive path").lower(),
	}
	if err != nil {
		sc.Status = "failed"
		sc.Note = fmt.Sprintf("go test: %v", err)
	}
	sc.Invariants = []Check{{Name: "benchmarks' own checks (exact seat counts, no errors)", OK: err == nil,
		Detail: "BenchmarkHotCourse fails on any count other than 100 enrollments or any status other than 201/409; " +
			"BenchmarkCommit fails on any store error. " + fmt.Sprintf("go test finished in %.0f s", time.Since(start).Seconds())}}
	return sc, nil
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+\d+\s+(.*)$`)

// parseBench returns "name unit" → value for every metric of every
// benchmark line.
func parseBench(out string) map[string]float64 {
	got := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		f := strings.Fields(m[3])
		for i := 0; i+1 < len(f); i += 2 {
			if x, err := strconv.ParseFloat(f[i], 64); err == nil {
				got[m[1]+" "+f[i+1]] = x
			}
		}
	}
	return got
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
