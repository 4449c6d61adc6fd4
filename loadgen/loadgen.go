// Package loadgen is classmate's load generator: it simulates students as
// they behave on registration day (log in ahead, join the waiting room at
// the opening, hold the queue WebSocket, enroll with Zipf-skewed course
// choice and think time once admitted, leave) and runs the benchmarks S1–S6
// of BENCHMARKS.md against a local stack, checking the invariants of
// ARCHITECTURE.md against MySQL and Redis after every run. Results go to a
// JSON file and a self-contained HTML report.
//
// It targets only 127.0.0.0/8 and refuses anything else: it deletes
// enrollments between scenarios. Every run is bounded in time and count.
package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"
)

const usage = `usage: loadgen <command> [flags]

commands:
  all            S6, S1, S2, S3, S4, S5 in that order (make bench)
  s1 … s6        one scenario
  ceiling        only the in-run baselines (gate/core /healthz, Redis PING)
  report         redraw report.html from a results.json: -in FILE -out FILE
  students-csv   the JMeter students file: -n N -courses N -attempts N -out FILE
  queries-csv    the JMeter search queries file: -courses N -out FILE
  jtl            summarize a JMeter results file: -in FILE; exits 1 on any failed sample

Run "loadgen <command> -h" for the flags.
`

// Main runs the load generator with args (without the program name) and
// returns the exit status: 0, 1 when a scenario failed or an invariant was
// violated, 2 on bad usage.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "help" || args[0] == "--help" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "report":
		err = reportCmd(rest, stderr)
	case "students-csv":
		err = studentsCSVCmd(rest, stdout, stderr)
	case "queries-csv":
		err = queriesCSVCmd(rest, stdout, stderr)
	case "jtl":
		return jtlCmd(rest, stdout, stderr)
	case "all", "s1", "s2", "s3", "s4", "s5", "s6", "ceiling":
		return runCmd(ctx, cmd, rest, getenv, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "loadgen: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "loadgen:", err)
		return 1
	}
	return 0
}

func runCmd(ctx context.Context, cmd string, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(cmd, args, getenv, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "loadgen:", err)
		}
		return 2
	}
	var defs []scenarioDef
	sockets := 0
	for _, d := range scenarioDefs() {
		if cmd == "all" || strings.EqualFold(cmd, d.id) {
			defs = append(defs, d)
			switch d.id {
			case "S1":
				sockets = max(sockets, cfg.S1.Students)
			case "S2":
				sockets = max(sockets, cfg.S2.Students)
			case "S3":
				sockets = max(sockets, cfg.S3.Clients)
			case "S4":
				sockets = max(sockets, cfg.S4.Clients)
			}
		}
	}
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			fmt.Fprintln(stderr, "loadgen:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "loadgen:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	e, err := openEnv(ctx, cfg, stderr, sockets)
	if err != nil {
		fmt.Fprintln(stderr, "loadgen:", err)
		return 1
	}
	defer e.Close()
	res := &Results{Version: 1, Started: time.Now().UTC(), Size: cfg.Size, Command: "loadgen " + strings.Join(append([]string{cmd}, args...), " "),
		Machine: machine()}
	res.Machine.GoVersion = runtime.Version()
	res.Machine.FileLimit = e.FileLimit
	e.logf("loadgen %s: size %s, %d source addresses from %s, file limit %d, gate pid %d, core pid %d",
		cmd, cfg.Size, e.Src.Len(), cfg.SourceBase, e.FileLimit, e.GatePID, e.CorePID)
	e.measureCeilings(ctx)
	for _, d := range defs {
		if ctx.Err() != nil {
			break
		}
		// A stopped service fails the rest at once instead of each
		// scenario timing out against it.
		if err := errors.Join(e.ready(e.Gate), e.ready(e.Core)); err != nil {
			e.logf("%s: not run: a service is down: %v", d.id, err)
			res.Scenarios = append(res.Scenarios, &Scenario{ID: d.id, Title: d.title, Status: "failed",
				Note: "not run: the gate or the core is down: " + err.Error()})
			continue
		}
		e.logf("%s: %s", d.id, d.title)
		s := runRepeated(ctx, e, d)
		res.Scenarios = append(res.Scenarios, s)
		if err := writeResults(cfg.Out, res); err != nil { // keep what was measured so far
			fmt.Fprintln(stderr, "loadgen:", err)
		}
	}
	res.Finished = time.Now().UTC()
	res.Ceilings = e.Ceilings
	if err := writeResults(cfg.Out, res); err != nil {
		fmt.Fprintln(stderr, "loadgen:", err)
		return 1
	}
	fmt.Fprintln(stdout)
	res.WriteSummary(stdout)
	fmt.Fprintf(stdout, "\nresults: %s\nreport:  %s\n", filepath.Join(cfg.Out, "results.json"), filepath.Join(cfg.Out, "report.html"))
	status := 0
	for _, s := range res.Scenarios {
		if s.Status == "failed" {
			status = 1
		}
		for _, c := range s.Invariants {
			if !c.OK {
				fmt.Fprintf(stdout, "INVARIANT VIOLATED in %s: %s: %s\n", s.ID, c.Name, c.Detail)
				status = 1
			}
		}
	}
	if ctx.Err() != nil {
		return 1
	}
	return status
}

// writeResults writes results.json and report.html into dir.
func writeResults(dir string, res *Results) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), b, 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "report.html"))
	if err != nil {
		return err
	}
	if err := WriteReport(f, res); err != nil {
		f.Close()
		return fmt.Errorf("report: %w", err)
	}
	return f.Close()
}

func reportCmd(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadgen report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "bench-results/latest/results.json", "results file")
	out := fs.String("out", "", "HTML file (default: report.html beside the results)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	var res Results
	if err := json.Unmarshal(b, &res); err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	if *out == "" {
		*out = filepath.Join(filepath.Dir(*in), "report.html")
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := WriteReport(f, &res); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
