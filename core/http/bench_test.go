package http_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"classmate/core"
)

// passThrough is a seat filter that lets every request through to MySQL:
// the naive path, the baseline of BenchmarkHotCourse. It still checks the
// admission token's revocation, as the real filter does.
type passThrough struct {
	core.Seats
	revocations core.Revocations
}

func (p passThrough) Take(ctx context.Context, _, _ int64, admission string) error {
	if admission == "" {
		return nil
	}
	revoked, err := p.revocations.Revoked(ctx, admission)
	if err != nil {
		return err
	}
	if revoked {
		return core.ErrAdmissionRequired
	}
	return nil
}
func (passThrough) Release(context.Context, int64, int64) error { return nil }
func (p passThrough) Confirm(ctx context.Context, _, _ int64, reply *core.KeyedReply) error {
	if reply != nil {
		panic("passThrough: no replies")
	}
	return nil
}

// BenchmarkHotCourse is S2 of BENCHMARKS.md through the HTTP handler: 5,000
// admitted students fire at one course of 100 seats at once. It reports
// attempts/s, p50 and p99 of the project's path (Redis filter, then group
// commit) next to two baselines in the same run: "naive", every attempt its
// own MySQL transaction, and "mysql-batched", group commit without the
// filter. Run with:
//
//	go test -run '^$' -bench BenchmarkHotCourse -benchtime 3x ./core/http/
func BenchmarkHotCourse(b *testing.B) {
	const students, seats = 5000, 100
	for _, mode := range []string{"naive", "mysql-batched", "project"} {
		b.Run(mode, func(b *testing.B) {
			e := newEnv(b)
			ids := e.addStudentsBulk(students)
			switch mode {
			case "naive": // every attempt is its own MySQL transaction
				e.srv.Registrar.Seats = passThrough{e.seats, e.srv.Revocations}
				e.store.MaxBatch = 1
			case "mysql-batched": // group commit, no Redis filter
				e.srv.Registrar.Seats = passThrough{e.seats, e.srv.Revocations}
			}
			tokens := make([]string, len(ids))
			for i, id := range ids {
				tokens[i] = "Bearer " + e.admission(id)
			}
			var all []time.Duration
			var elapsed time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				courseID := int64(i + 1)
				e.putCourse(course(courseID, seats, 3, fmt.Sprintf("%s %02d:00-%02d:30", core.Days[i%6], 8+i%12, 8+i%12)))
				body := fmt.Sprintf(`{"course_id":%d}`, courseID)
				lat := make([]time.Duration, len(ids))
				var created int
				var mu sync.Mutex
				var wg sync.WaitGroup
				start := make(chan struct{})
				for j := range ids {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						t0 := time.Now()
						status, _ := e.do("POST", "/api/v1/enrollments", body, "Authorization", tokens[j])
						lat[j] = time.Since(t0)
						if status == 201 {
							mu.Lock()
							created++
							mu.Unlock()
						} else if status != 409 {
							b.Errorf("status %d", status)
						}
					}()
				}
				b.StartTimer()
				t0 := time.Now()
				close(start)
				wg.Wait()
				elapsed += time.Since(t0)
				if created != seats {
					b.Fatalf("%d enrollments for %d seats", created, seats)
				}
				all = append(all, lat...)
			}
			slices.Sort(all)
			b.ReportMetric(float64(len(all))/elapsed.Seconds(), "attempts/s")
			b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
		})
	}
}
