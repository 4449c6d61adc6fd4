package mysql_test

import (
	"context"
	"sync"
	"testing"
	"time"
)

// BenchmarkCommit measures durable enrollment commits per second (S6 of
// BENCHMARKS.md): 4,000 students enroll at once, 256 at a time, in one hot
// course or spread over 200 courses; batch=1 is the one-enrollment-per-
// transaction baseline, batch=32 the group commit, in the same run on the
// same data. Run with:
//
//	go test -run '^$' -bench BenchmarkCommit -benchtime 3x ./core/mysql/
func BenchmarkCommit(b *testing.B) {
	const students, workers = 4000, 256
	for _, shape := range []struct {
		name    string
		courses int
	}{{"hot", 1}, {"spread200", 200}} {
		for _, batch := range []int{1, 32} {
			b.Run(shape.name+"/batch="+itoa(batch), func(b *testing.B) {
				f := newFixture(b, batch)
				ids := f.addStudents(b, students, 255)
				next := int64(1)
				var total time.Duration
				for i := 0; i < b.N; i++ {
					// Fresh courses each round; one-minute slots never
					// overlap, so every student can hold them all.
					b.StopTimer()
					first := next
					for c := 0; c < shape.courses; c++ {
						f.addCourse(b, next, students/shape.courses, 1, minuteSlot(int(next)))
						next++
					}
					work := make(chan int64, students)
					for _, id := range ids {
						work <- id
					}
					close(work)
					b.StartTimer()
					start := time.Now()
					var wg sync.WaitGroup
					for w := 0; w < workers; w++ {
						wg.Add(1)
						go func() {
							defer wg.Done()
							for sid := range work {
								course := first + sid%int64(shape.courses)
								if _, _, err := f.store.Enroll(context.Background(), sid, course); err != nil {
									b.Error(err)
									return
								}
							}
						}()
					}
					wg.Wait()
					total += time.Since(start)
				}
				b.ReportMetric(float64(students*b.N)/total.Seconds(), "commits/s")
			})
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
