package loadgen

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Commits collects the (student, course) pairs answered 201 during a run.
// Safe for concurrent use.
type Commits struct {
	mu    sync.Mutex
	pairs [][2]int64
	// Unknown counts enrollment attempts that got no answer: they may or
	// may not have committed.
	unknown int64
}

// Add records a 201.
func (c *Commits) Add(student, course int64) {
	c.mu.Lock()
	c.pairs = append(c.pairs, [2]int64{student, course})
	c.mu.Unlock()
}

// AddUnknown records an attempt without an answer.
func (c *Commits) AddUnknown() {
	c.mu.Lock()
	c.unknown++
	c.mu.Unlock()
}

// Len returns the number of 201s.
func (c *Commits) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pairs)
}

// courseSeats is one course's seats as MySQL and Redis see them.
type courseSeats struct {
	id                 int64
	capacity, enrolled int64
	rows               int64 // enrollment rows
	counter            int64 // Redis remaining seats, -1 when missing
	members, holds     int64
	membersMatch       bool
	counterMissing     bool
}

// checkInvariants verifies, after a run, what ARCHITECTURE.md promises:
// no course oversold (MySQL), Redis counters equal to MySQL (no lost seat),
// every 201 committed in MySQL and nothing else written, and no 5xx. It
// first waits up to 15 s for the seat holds still in flight to settle.
func (e *Env) checkInvariants(ctx context.Context, rec *Recorder, commits *Commits) []Check {
	var checks []Check
	add := func(name string, ok bool, format string, args ...any) {
		checks = append(checks, Check{Name: name, OK: ok, Detail: fmt.Sprintf(format, args...)})
	}

	seats, err := e.seatStates(ctx, 15*time.Second)
	if err != nil {
		add("invariants readable", false, "%v", err)
		return checks
	}
	var oversold, countDrift, lost, gained, missing, memberDiff, holds []string
	var lostSeats int64
	for _, s := range seats {
		id := strconv.FormatInt(s.id, 10)
		if s.rows > s.capacity || s.enrolled > s.capacity {
			oversold = append(oversold, fmt.Sprintf("%s (%d rows, capacity %d)", id, s.rows, s.capacity))
		}
		if s.rows != s.enrolled {
			countDrift = append(countDrift, fmt.Sprintf("%s (enrolled %d, rows %d)", id, s.enrolled, s.rows))
		}
		if s.holds > 0 {
			holds = append(holds, fmt.Sprintf("%s (%d)", id, s.holds))
		}
		switch want := s.capacity - s.rows - s.holds; {
		case s.counterMissing:
			missing = append(missing, id)
		case s.counter < want:
			lost = append(lost, fmt.Sprintf("%s (%d < %d)", id, s.counter, want))
			lostSeats += want - s.counter
		case s.counter > want:
			gained = append(gained, fmt.Sprintf("%s (%d > %d)", id, s.counter, want))
		}
		if !s.membersMatch {
			memberDiff = append(memberDiff, id)
		}
	}
	add("no oversell (MySQL)", len(oversold) == 0 && len(countDrift) == 0,
		"%d courses checked; oversold: %s; enrolled ≠ rows: %s", len(seats), list(oversold), list(countDrift))
	add("Redis seat counters == MySQL", len(lost) == 0 && len(gained) == 0 && len(missing) == 0 && len(memberDiff) == 0,
		"lost seats: %d in %s; counters above MySQL: %s; missing counters: %s; member sets differing: %s; holds still in flight: %s",
		lostSeats, list(lost), list(gained), list(missing), list(memberDiff), list(holds))

	if commits != nil {
		present, total, err := e.enrollmentRows(ctx)
		if err != nil {
			add("every 201 in MySQL", false, "%v", err)
		} else {
			commits.mu.Lock()
			var absent []string
			for _, p := range commits.pairs {
				if !present[p] {
					absent = append(absent, fmt.Sprintf("student %d course %d", p[0], p[1]))
				}
			}
			n, unknown := int64(len(commits.pairs)), commits.unknown
			commits.mu.Unlock()
			add("every 201 in MySQL", len(absent) == 0, "%d answered 201, %d of them absent from MySQL: %s", n, len(absent), list(absent))
			extra := total - n
			ok := extra == 0 || (extra > 0 && extra <= unknown)
			add("nothing written without a 201", ok,
				"%d enrollment rows for %d 201s since the reset (%d attempts got no answer and may have committed)", total, n, unknown)
		}
	}

	var fives, fails int64
	var where []string
	for _, ep := range rec.Endpoints() {
		f := ep.CountClass(500, 599)
		fives += f
		fails += ep.Status(0)
		if f > 0 || ep.Status(0) > 0 {
			where = append(where, fmt.Sprintf("%s: %d 5xx, %d unanswered", ep.Name, f, ep.Status(0)))
		}
	}
	add("no 5xx", fives == 0, "%d 5xx, %d requests without an answer; %s", fives, fails, list(where))
	return checks
}

// seatStates reads every course's seats from MySQL and Redis, after
// waiting up to settle for the holds in flight to drain.
func (e *Env) seatStates(ctx context.Context, settle time.Duration) ([]courseSeats, error) {
	deadline := time.Now().Add(settle)
	for {
		seats, err := e.readSeats(ctx)
		if err != nil {
			return nil, err
		}
		inFlight := false
		for _, s := range seats {
			if s.holds > 0 {
				inFlight = true
				break
			}
		}
		if !inFlight || time.Now().After(deadline) {
			return seats, nil
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func (e *Env) readSeats(ctx context.Context) ([]courseSeats, error) {
	rows, err := e.DB.QueryContext(ctx, `SELECT c.id, c.capacity, c.enrolled, COUNT(e.student_id)
		FROM courses c LEFT JOIN enrollments e ON e.course_id = c.id GROUP BY c.id ORDER BY c.id`)
	if err != nil {
		return nil, fmt.Errorf("read seats: %w", err)
	}
	var seats []courseSeats
	for rows.Next() {
		var s courseSeats
		if err := rows.Scan(&s.id, &s.capacity, &s.enrolled, &s.rows); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read seats: %w", err)
		}
		seats = append(seats, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read seats: %w", err)
	}
	// Students per course, for the member sets.
	students := map[int64]map[string]bool{}
	erows, err := e.DB.QueryContext(ctx, "SELECT course_id, student_id FROM enrollments")
	if err != nil {
		return nil, fmt.Errorf("read enrollments: %w", err)
	}
	for erows.Next() {
		var c, s int64
		if err := erows.Scan(&c, &s); err != nil {
			erows.Close()
			return nil, fmt.Errorf("read enrollments: %w", err)
		}
		if students[c] == nil {
			students[c] = map[string]bool{}
		}
		students[c][strconv.FormatInt(s, 10)] = true
	}
	erows.Close()

	const chunk = 500
	for start := 0; start < len(seats); start += chunk {
		part := seats[start:min(start+chunk, len(seats))]
		pipe := e.Redis.Pipeline()
		counters := make([]*redis.StringCmd, len(part))
		members := make([]*redis.StringSliceCmd, len(part))
		holds := make([]*redis.IntCmd, len(part))
		for i, s := range part {
			base := e.Cfg.RedisPrefix + "seat:{c" + strconv.FormatInt(s.id, 10) + "}:"
			counters[i] = pipe.Get(ctx, base+"n")
			members[i] = pipe.SMembers(ctx, base+"s")
			holds[i] = pipe.HLen(ctx, base+"h")
		}
		if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
			return nil, fmt.Errorf("read seat counters: %w", err)
		}
		for i := range part {
			s := &part[i]
			n, err := counters[i].Int64()
			if err == redis.Nil {
				s.counterMissing, s.counter = true, -1
			} else if err != nil {
				return nil, fmt.Errorf("read seat counter %d: %w", s.id, err)
			} else {
				s.counter = n
			}
			s.holds = holds[i].Val()
			m := members[i].Val()
			s.members = int64(len(m))
			// Members are the committed students plus the holds.
			want := students[s.id]
			s.membersMatch = int64(len(m)) == int64(len(want))+s.holds
			if s.holds == 0 && s.membersMatch {
				for _, sid := range m {
					if !want[sid] {
						s.membersMatch = false
						break
					}
				}
			}
			if s.counterMissing && s.rows == 0 && len(m) == 0 {
				// A course nobody touched since the counters were loaded
				// may have no counter yet: the core loads it on demand.
				s.counterMissing = false
				s.counter = s.capacity
			}
		}
	}
	return seats, nil
}

// enrollmentRows returns the (student, course) pairs in MySQL and their
// number.
func (e *Env) enrollmentRows(ctx context.Context) (map[[2]int64]bool, int64, error) {
	rows, err := e.DB.QueryContext(ctx, "SELECT student_id, course_id FROM enrollments")
	if err != nil {
		return nil, 0, fmt.Errorf("read enrollments: %w", err)
	}
	defer rows.Close()
	out := map[[2]int64]bool{}
	var n int64
	for rows.Next() {
		var p [2]int64
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, 0, fmt.Errorf("read enrollments: %w", err)
		}
		out[p] = true
		n++
	}
	return out, n, rows.Err()
}

// list shows up to five items and the count of the rest.
func list(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	sort.Strings(items)
	if len(items) > 5 {
		return strings.Join(items[:5], ", ") + fmt.Sprintf(" and %d more", len(items)-5)
	}
	return strings.Join(items, ", ")
}
