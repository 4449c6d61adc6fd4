package loadgen

import (
	"bufio"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"classmate/core/demo"
)

// studentsCSVCmd writes the students file of the JMeter plans: one line per
// demo student with the development password and the courses the student
// will try, drawn with the same Zipf-skewed demand as the load generator.
func studentsCSVCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadgen students-csv", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 20000, "students (2026000001…)")
	first := fs.Int("first", 1, "first student")
	courses := fs.Int("courses", 3000, "catalogue courses (ids 1…courses, as the demo data has)")
	attempts := fs.Int("attempts", 6, "course columns per student")
	zipfS := fs.Float64("zipf", 1.1, "Zipf exponent of the demand (> 1)")
	seed := fs.Uint64("seed", 2026, "random seed")
	password := fs.String("password", "classmate", "password column")
	out := fs.String("out", "", "output file (default stdout)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 || *courses < 1 || *attempts < 1 || *zipfS <= 1 || *first < 1 || *first+*n-1 > 999999 {
		return errors.New("students-csv: -n, -courses, -attempts and -first must be positive, -zipf > 1, students within 2026000001…2026999999")
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	ids := make([]int64, *courses)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	ch := newChooser(ids, *zipfS, *seed)
	fmt.Fprint(bw, "student_no,password")
	for k := 1; k <= *attempts; k++ {
		fmt.Fprintf(bw, ",c%d", k)
	}
	fmt.Fprintln(bw)
	for i := *first; i < *first+*n; i++ {
		rng := rand.New(rand.NewPCG(*seed, uint64(i)))
		picks := ch.pick(rng, *attempts)
		fmt.Fprintf(bw, "%s,%s", studentNo(i), *password)
		for k := 0; k < *attempts; k++ {
			fmt.Fprintf(bw, ",%d", picks[k%len(picks)])
		}
		fmt.Fprintln(bw)
	}
	return bw.Flush()
}

// JTLSample is one line of a JMeter results file (JTL, CSV format).
type JTLSample struct {
	Time      time.Time
	Elapsed   time.Duration
	Label     string
	Code      string
	Message   string
	Success   bool
	Failure   string
	URL       string
	AllThread int
}

// ReadJTL reads a JMeter CSV results file (with its header line).
func ReadJTL(r io.Reader) ([]JTLSample, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("jtl: header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, need := range []string{"timeStamp", "elapsed", "label", "responseCode", "success"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("jtl: no %q column: is it a CSV results file with a header line?", need)
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	var out []JTLSample
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("jtl: line %d: %w", len(out)+2, err)
		}
		ts, _ := strconv.ParseInt(get(rec, "timeStamp"), 10, 64)
		el, _ := strconv.ParseInt(get(rec, "elapsed"), 10, 64)
		threads, _ := strconv.Atoi(get(rec, "allThreads"))
		out = append(out, JTLSample{
			Time: time.UnixMilli(ts), Elapsed: time.Duration(el) * time.Millisecond,
			Label: get(rec, "label"), Code: get(rec, "responseCode"), Message: get(rec, "responseMessage"),
			Success: get(rec, "success") == "true", Failure: get(rec, "failureMessage"), URL: get(rec, "URL"),
			AllThread: threads,
		})
	}
}

// JTLSummary is the per-label summary of a results file.
type JTLSummary struct {
	Label         string
	Count, Errors int
	P50, P90, P99 time.Duration
	Mean, Max     time.Duration
	Rate          float64 // samples/s over the file's span
	Codes         map[string]int
	FirstFailures []string
}

// SummarizeJTL groups samples by label (and a TOTAL line last).
func SummarizeJTL(samples []JTLSample) []JTLSummary {
	var first, last time.Time
	by := map[string][]JTLSample{}
	var labels []string
	for _, s := range samples {
		if _, ok := by[s.Label]; !ok {
			labels = append(labels, s.Label)
		}
		by[s.Label] = append(by[s.Label], s)
		if first.IsZero() || s.Time.Before(first) {
			first = s.Time
		}
		if end := s.Time.Add(s.Elapsed); end.After(last) {
			last = end
		}
	}
	span := last.Sub(first).Seconds()
	sum := func(label string, ss []JTLSample) JTLSummary {
		x := JTLSummary{Label: label, Count: len(ss), Codes: map[string]int{}}
		d := make([]time.Duration, len(ss))
		var total time.Duration
		for i, s := range ss {
			d[i] = s.Elapsed
			total += s.Elapsed
			x.Codes[s.Code]++
			if !s.Success {
				x.Errors++
				if len(x.FirstFailures) < 5 {
					x.FirstFailures = append(x.FirstFailures, fmt.Sprintf("%s %s %s %s", s.Label, s.Code, s.Message, oneLine(s.Failure, 160)))
				}
			}
		}
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		if len(d) > 0 {
			at := func(q float64) time.Duration { return d[min(len(d)-1, int(q*float64(len(d))))] }
			x.P50, x.P90, x.P99, x.Max = at(0.5), at(0.9), at(0.99), d[len(d)-1]
			x.Mean = total / time.Duration(len(d))
		}
		if span > 0 {
			x.Rate = float64(len(ss)) / span
		}
		return x
	}
	var out []JTLSummary
	for _, l := range labels {
		out = append(out, sum(l, by[l]))
	}
	out = append(out, sum("TOTAL", samples))
	return out
}

// jtlCmd prints the summary of a results file and exits 1 on any failed
// sample (JMeter itself exits 0 whatever the samples did).
func jtlCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loadgen jtl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "JMeter results file (CSV with header)")
	if err := fs.Parse(args); err != nil || *in == "" {
		fmt.Fprintln(stderr, "usage: loadgen jtl -in results.jtl")
		return 2
	}
	f, err := os.Open(*in)
	if err != nil {
		fmt.Fprintln(stderr, "loadgen:", err)
		return 1
	}
	defer f.Close()
	samples, err := ReadJTL(f)
	if err != nil {
		fmt.Fprintln(stderr, "loadgen:", err)
		return 1
	}
	sums := SummarizeJTL(samples)
	WriteJTLSummary(stdout, sums)
	total := sums[len(sums)-1]
	switch {
	case total.Count == 0:
		fmt.Fprintln(stdout, "FAIL: no samples")
		return 1
	case total.Errors > 0:
		fmt.Fprintf(stdout, "FAIL: %d of %d samples failed\n", total.Errors, total.Count)
		return 1
	}
	fmt.Fprintf(stdout, "OK: %d samples, none failed\n", total.Count)
	return 0
}

// WriteJTLSummary prints the summary table and the first failures.
func WriteJTLSummary(w io.Writer, sums []JTLSummary) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "label\tsamples\terrors\tper s\tmean ms\tp50 ms\tp90 ms\tp99 ms\tmax ms\tcodes\t")
	for _, s := range sums {
		var codes []string
		for c, n := range s.Codes {
			codes = append(codes, fmt.Sprintf("%s:%d", c, n))
		}
		sort.Strings(codes)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%d\t%d\t%d\t%d\t%d\t%s\t\n", s.Label, s.Count, s.Errors, s.Rate,
			s.Mean.Milliseconds(), s.P50.Milliseconds(), s.P90.Milliseconds(), s.P99.Milliseconds(), s.Max.Milliseconds(),
			strings.Join(codes, " "))
	}
	tw.Flush()
	for _, s := range sums[:len(sums)-1] {
		for _, f := range s.FirstFailures {
			fmt.Fprintln(w, "failed:", f)
		}
	}
}

// queriesCSVCmd writes the queries file of the search-storm plan: the same
// query mix as S4 (whole titles, partial words, initial consonants,
// professors, code prefixes, a day filter), drawn from the deterministic
// demo catalogue, one URL-encoded query string a line.
func queriesCSVCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadgen queries-csv", flag.ContinueOnError)
	fs.SetOutput(stderr)
	courses := fs.Int("courses", 3000, "demo catalogue size")
	seed := fs.Uint64("seed", 2026, "random seed")
	out := fs.String("out", "", "output file (default stdout)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *courses < 1 {
		return errors.New("queries-csv: -courses must be positive")
	}
	var cat []CatalogueCourse
	for _, c := range demo.Courses(*courses) {
		cat = append(cat, CatalogueCourse{ID: c.ID, Code: c.Code, Title: c.Title, Professor: c.Professor, Capacity: c.Capacity, Credits: c.Credits})
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "query")
	for _, q := range searchQueries(cat, *seed) {
		fmt.Fprintln(bw, q)
	}
	return bw.Flush()
}
