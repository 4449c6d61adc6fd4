package http_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/core"
	corehttp "classmate/core/http"
	coreredis "classmate/core/redis"
	"classmate/internal/dbtest"
	"classmate/internal/redisclient"
	"classmate/token"
)

// TestNoOversell: 1,000 distinct students race for 30 seats.
func TestNoOversell(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(1000)
	e.putCourse(course(1, 30, 3))

	var created, soldOut, other atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, id := range ids {
		tok := e.admission(id)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			status, body := e.do("POST", "/api/v1/enrollments", `{"course_id":1}`, "Authorization", "Bearer "+tok)
			switch {
			case status == 201:
				created.Add(1)
			case status == 409 && errorCode(body) == core.CodeSoldOut:
				soldOut.Add(1)
			default:
				other.Add(1)
				t.Errorf("unexpected %d %s", status, body)
			}
		}()
	}
	close(start)
	wg.Wait()
	assert.EqualValues(t, 30, created.Load())
	assert.EqualValues(t, 970, soldOut.Load())
	assert.Zero(t, other.Load())
	var n int
	require.NoError(t, e.db.QueryRow("SELECT COUNT(*) FROM enrollments WHERE course_id = 1").Scan(&n))
	assert.Equal(t, 30, n)
	e.checkSeats()
}

// TestSameStudentRace: one student fires 20 requests at once over
// overlapping and non-overlapping courses; the credit limit and the
// timetable must hold whatever the interleaving.
func TestSameStudentRace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	students := e.addStudents(5)
	days := []string{"MON", "TUE", "WED", "THU", "FRI"}
	var courses []int64
	for i := int64(1); i <= 20; i++ {
		// Pairs of courses share a day and overlap by 30 minutes; the
		// second of each pair also touches the next pair's slot.
		day := days[(i-1)/2%5]
		slot := fmt.Sprintf("%s %02d:00-%02d:30", day, 9+(i-1)%2, 10+(i-1)%2)
		if i > 10 {
			slot = fmt.Sprintf("%s %02d:00-%02d:30", day, 14+(i-1)%2, 15+(i-1)%2)
		}
		e.putCourse(course(i, 100, 3, slot))
		courses = append(courses, i)
	}
	for _, sid := range students {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, cid := range courses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				status, body := e.enroll(sid, cid)
				if status != 201 && status != 422 {
					t.Errorf("student %d course %d: %d %s", sid, cid, status, body)
				}
			}()
		}
		close(start)
		wg.Wait()

		status, body := e.do("GET", "/api/v1/enrollments", "", "Authorization", "Bearer "+e.session(sid))
		require.Equal(t, 200, status, string(body))
		var tt core.Timetable
		require.NoError(t, json.Unmarshal(body, &tt))
		assert.LessOrEqual(t, tt.TotalCredits, 18, "student %d over the credit limit", sid)
		assert.Equal(t, 6, len(tt.Items), "student %d: 18 credits of 3 fit without conflict", sid)
		for i, a := range tt.Items {
			for _, b := range tt.Items[i+1:] {
				assert.False(t, core.Conflicts(a.Course.Schedule, b.Course.Schedule),
					"student %d holds conflicting courses %d and %d", sid, a.Course.ID, b.Course.ID)
			}
		}
	}
	e.checkSeats()
}

// TestFailedCommitGivesSeatBack: a transaction that fails just before its
// commit, or whose connection is killed, writes nothing and gives the seat
// back.
func TestFailedCommitGivesSeatBack(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		inject func(e *env) func(ctx context.Context, tx *sql.Tx) error
	}{
		{"ErrBeforeCommit", func(*env) func(context.Context, *sql.Tx) error {
			return func(context.Context, *sql.Tx) error { return errors.New("injected failure") }
		}},
		{"KilledConnection", func(e *env) func(context.Context, *sql.Tx) error {
			return func(ctx context.Context, tx *sql.Tx) error {
				var id int64
				if err := tx.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
					return err
				}
				_, err := e.db.ExecContext(ctx, fmt.Sprintf("KILL %d", id))
				return err
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			ids := e.addStudents(2)
			e.putCourse(course(1, 1, 3))
			e.store.BeforeCommit = tc.inject(e)
			status, body := e.enroll(ids[0], 1)
			assert.Equal(t, 503, status, string(body))
			assert.Equal(t, core.CodeUnavailable, errorCode(body))
			e.store.BeforeCommit = nil

			var n int
			require.NoError(t, e.db.QueryRow("SELECT COUNT(*) FROM enrollments").Scan(&n))
			assert.Zero(t, n, "a failed transaction wrote an enrollment")
			e.checkSeats()
			// The only seat is still there for the next student.
			status, body = e.enroll(ids[1], 1)
			assert.Equal(t, 201, status, string(body))
			e.checkSeats()
		})
	}
}

// TestRedisLossRepairedByReconciler: the seat counters vanish mid-run (as
// when Redis restarts without persistence); answers stay right and the
// reconciler makes Redis equal MySQL again.
func TestRedisLossRepairedByReconciler(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(300)
	for i := int64(1); i <= 10; i++ {
		e.putCourse(course(i, 20, 1, fmt.Sprintf("%s 09:00-10:00", core.Days[i%6])))
	}
	var created atomic.Int64
	var wg sync.WaitGroup
	for n, sid := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, body := e.enroll(sid, int64(n%10)+1)
			switch {
			case status == 201:
				created.Add(1)
			case status == 409 && errorCode(body) == core.CodeSoldOut:
			default:
				t.Errorf("unexpected %d %s", status, body)
			}
		}()
		if n == 100 {
			// Counters gone: delete every key of this test's prefix.
			keys, err := e.rdb.Keys(context.Background(), e.prefix+"*").Result()
			require.NoError(t, err)
			require.NoError(t, e.rdb.Del(context.Background(), keys...).Err())
		}
	}
	wg.Wait()
	assert.EqualValues(t, 200, created.Load(), "every seat is sold exactly once")
	status, body := e.do("POST", "/admin/v1/seats/reconcile", "", "Authorization", "Bearer "+adminToken)
	require.Equal(t, 200, status, string(body))
	e.checkSeats()
}

// TestReconcileDuringTraffic: enrollments and cancellations race with
// reconciler runs; afterwards the counters equal MySQL without another run.
func TestReconcileDuringTraffic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(200)
	for i := int64(1); i <= 5; i++ {
		e.putCourse(course(i, 15, 1, fmt.Sprintf("%s 09:00-10:00", core.Days[i])))
	}
	stop := make(chan struct{})
	reconciled := make(chan int)
	go func() {
		runs := 0
		for {
			select {
			case <-stop:
				reconciled <- runs
				return
			default:
			}
			if _, _, err := e.srv.Registrar.Reconcile(context.Background()); err != nil {
				t.Errorf("reconcile: %v", err)
			}
			runs++
		}
	}()
	var wg sync.WaitGroup
	for n, sid := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cid := int64(n%5) + 1
			for round := 0; round < 3; round++ {
				status, body := e.enroll(sid, cid)
				if status == 201 {
					if status, body := e.do("DELETE", fmt.Sprintf("/api/v1/enrollments/%d", cid), "",
						"Authorization", "Bearer "+e.admission(sid)); status != 204 {
						t.Errorf("cancel: %d %s", status, body)
					}
				} else if errorCode(body) != core.CodeSoldOut {
					t.Errorf("enroll: %d %s", status, body)
				}
			}
			e.enroll(sid, cid)
		}()
	}
	wg.Wait()
	close(stop)
	runs := <-reconciled
	t.Logf("%d reconciler runs during the traffic", runs)
	require.Greater(t, runs, 1)
	e.checkSeats()
	var n int
	require.NoError(t, e.db.QueryRow("SELECT COUNT(*) FROM enrollments").Scan(&n))
	assert.Equal(t, 75, n, "every seat ends up sold")
}

// TestReplicaLag: with replication stopped, a student still sees their own
// enrollment and cancellation at once.
func TestReplicaLag(t *testing.T) {
	e := newEnv(t)
	e.useReplica()
	ids := e.addStudents(1)
	e.putCourse(course(1, 10, 3))
	e.putCourse(course(2, 10, 3, "TUE 09:00-10:00"))
	dbtest.CatchUp(t, e.db) // the replica has the courses, then falls behind
	dbtest.StopReplication(t)
	defer dbtest.StartReplication(t)

	status, body := e.enroll(ids[0], 1)
	require.Equal(t, 201, status, string(body))
	status, body = e.enroll(ids[0], 2)
	require.Equal(t, 201, status, string(body))
	status, body = e.do("DELETE", "/api/v1/enrollments/2", "", "Authorization", "Bearer "+e.admission(ids[0]))
	require.Equal(t, 204, status, string(body))

	status, body = e.do("GET", "/api/v1/enrollments", "", "Authorization", "Bearer "+e.session(ids[0]))
	require.Equal(t, 200, status, string(body))
	var tt core.Timetable
	require.NoError(t, json.Unmarshal(body, &tt))
	require.Len(t, tt.Items, 1)
	assert.EqualValues(t, 1, tt.Items[0].Course.ID)
	assert.Equal(t, 3, tt.TotalCredits)
	assert.Equal(t, 9, tt.Items[0].Course.Remaining, "remaining is live from the seat counter")

	// The replica really is behind: it has not seen the enrollment.
	var enrolled int
	require.NoError(t, e.mdb.Replica.QueryRow("SELECT enrolled FROM courses WHERE id = 1").Scan(&enrolled))
	assert.Zero(t, enrolled)
	// A catalogue read from the replica still shows the live count.
	status, body = e.do("GET", "/api/v1/courses/1", "")
	require.Equal(t, 200, status, string(body))
	var c core.Course
	require.NoError(t, json.Unmarshal(body, &c))
	assert.Equal(t, 9, c.Remaining)
}

// TestCancel covers cancellation answers and the seat's return.
func TestCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(2)
	e.putCourse(course(1, 1, 3))
	e.putCourse(course(2, 5, 3, "TUE 09:00-10:00"))
	adm := "Bearer " + e.admission(ids[0])

	status, body := e.enroll(ids[0], 1)
	require.Equal(t, 201, status, string(body))
	status, body = e.enroll(ids[1], 1)
	require.Equal(t, core.CodeSoldOut, errorCode(body), status)

	status, _ = e.do("DELETE", "/api/v1/enrollments/1", "", "Authorization", adm)
	assert.Equal(t, 204, status)
	e.checkSeats()
	status, body = e.do("DELETE", "/api/v1/enrollments/1", "", "Authorization", adm)
	assert.Equal(t, 404, status)
	assert.Equal(t, core.CodeNotEnrolled, errorCode(body))
	status, body = e.do("DELETE", "/api/v1/enrollments/999", "", "Authorization", adm)
	assert.Equal(t, 404, status)
	assert.Equal(t, core.CodeNotFound, errorCode(body))

	// A course only in the cart is not enrolled, and returns no seat.
	status, _ = e.do("PUT", "/api/v1/cart/2", "", "Authorization", "Bearer "+e.session(ids[0]))
	require.Equal(t, 204, status)
	status, body = e.do("DELETE", "/api/v1/enrollments/2", "", "Authorization", adm)
	assert.Equal(t, core.CodeNotEnrolled, errorCode(body), status)
	e.checkSeats()

	// The returned seat goes to the next student.
	status, body = e.enroll(ids[1], 1)
	assert.Equal(t, 201, status, string(body))
	e.checkSeats()
}

// TestCapacityChange: admin capacity changes move the live counter and
// never resurrect sold seats.
func TestCapacityChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(4)
	c := e.putCourse(course(1, 3, 3))
	assert.Equal(t, 3, c.Remaining)
	for _, id := range ids[:3] {
		status, body := e.enroll(id, 1)
		require.Equal(t, 201, status, string(body))
	}
	c.Capacity = 2
	b, _ := json.Marshal(c)
	status, body := e.do("PUT", "/admin/v1/courses/1", string(b), "Authorization", "Bearer "+adminToken)
	assert.Equal(t, 409, status)
	assert.Equal(t, core.CodeConflict, errorCode(body))

	c.Capacity = 5
	c = e.putCourse(c)
	assert.Equal(t, 2, c.Remaining)
	e.checkSeats()
	c.Capacity = 3
	c = e.putCourse(c)
	assert.Equal(t, 0, c.Remaining)
	status, body = e.enroll(ids[3], 1)
	assert.Equal(t, core.CodeSoldOut, errorCode(body), status)
	e.checkSeats()

	// A duplicate code is a conflict.
	other := course(2, 10, 3)
	other.Code = c.Code
	b, _ = json.Marshal(other)
	status, body = e.do("PUT", "/admin/v1/courses/2", string(b), "Authorization", "Bearer "+adminToken)
	assert.Equal(t, 409, status)
	assert.Equal(t, core.CodeConflict, errorCode(body))

	// Every change bumps the row version.
	var version int64
	require.NoError(t, e.db.QueryRow("SELECT version FROM courses WHERE id = 1").Scan(&version))
	assert.EqualValues(t, 1+3+2, version, "created, 3 enrollments, 2 admin updates")
}

// TestIdempotencyKey: concurrent repeats with one key get one answer and
// make one enrollment, whatever their bodies.
func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(1)
	e.putCourse(course(1, 10, 3))
	e.putCourse(course(2, 10, 3, "TUE 09:00-10:00"))
	tok := "Bearer " + e.admission(ids[0])

	bodies := make([]string, 20)
	var wg sync.WaitGroup
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, body := e.do("POST", "/api/v1/enrollments", fmt.Sprintf(`{"course_id": %d}`, 1+i%2),
				"Authorization", tok, "Idempotency-Key", "click-1")
			bodies[i] = fmt.Sprintf("%d %s", status, body)
		}()
	}
	wg.Wait()
	for _, b := range bodies {
		assert.Equal(t, bodies[0], b)
	}
	assert.Contains(t, bodies[0], "201 ")
	var n int
	require.NoError(t, e.db.QueryRow("SELECT COUNT(*) FROM enrollments").Scan(&n))
	assert.Equal(t, 1, n)

	// An error is replayed too.
	status, body := e.do("POST", "/api/v1/enrollments", `{"course_id": 99}`, "Authorization", tok, "Idempotency-Key", "k2")
	assert.Equal(t, 404, status)
	e.putCourse(course(99, 10, 3, "WED 09:00-10:00"))
	status2, body2 := e.do("POST", "/api/v1/enrollments", `{"course_id": 99}`, "Authorization", tok, "Idempotency-Key", "k2")
	assert.Equal(t, status, status2)
	assert.Equal(t, string(body), string(body2))
}

// TestRevokedAdmission: the core refuses an admission token the gate
// revoked, before any other answer (the contract's 401 comes first), and
// holds, claims and writes nothing for it, whichever request it comes with.
func TestRevokedAdmission(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(2)
	e.putCourse(course(1, 10, 3))
	e.putCourse(course(2, 1, 3, "TUE 09:00-10:00"))
	e.putCourse(course(3, 10, 3, "WED 09:00-10:00"))
	require.Equal(t, 201, first(e.enroll(ids[1], 2)))
	require.Equal(t, 201, first(e.enroll(ids[0], 3, "Idempotency-Key", "done")))
	// Another request of the student holds the key "pending".
	pendingKey := e.prefix + fmt.Sprintf("idem:{s%d}:pending", ids[0])
	require.NoError(t, e.rdb.Set(context.Background(), pendingKey, "P", time.Minute).Err())

	tok, adm, err := token.Issuer{Keys: e.tokens.Admission}.Admission(ids[0], time.Minute)
	require.NoError(t, err)
	require.NoError(t, e.rdb.Set(context.Background(), token.RevokedKey(adm.ID), 1, time.Minute).Err())
	t.Cleanup(func() { e.rdb.Del(context.Background(), token.RevokedKey(adm.ID)) })
	revoked := []string{"Authorization", "Bearer " + tok}

	for _, tc := range []struct {
		name, method, path, body string
		headers                  []string
	}{
		{"Open", "POST", "/api/v1/enrollments", `{"course_id":1}`, nil},
		{"SoldOut", "POST", "/api/v1/enrollments", `{"course_id":2}`, nil},
		{"AlreadyEnrolled", "POST", "/api/v1/enrollments", `{"course_id":3}`, nil},
		{"UnknownCourse", "POST", "/api/v1/enrollments", `{"course_id":999}`, nil},
		{"MalformedBody", "POST", "/api/v1/enrollments", `{"course_id":`, nil},
		{"NoCourse", "POST", "/api/v1/enrollments", `{}`, nil},
		{"WrongType", "POST", "/api/v1/enrollments", `{"course_id":1}`, []string{"Content-Type", "text/plain"}},
		{"Oversized", "POST", "/api/v1/enrollments", `{"course_id":1}` + strings.Repeat(" ", corehttp.MaxBody), nil},
		{"Key", "POST", "/api/v1/enrollments", `{"course_id":1}`, []string{"Idempotency-Key", "fresh"}},
		{"KeyMalformedBody", "POST", "/api/v1/enrollments", `{"course_id":`, []string{"Idempotency-Key", "fresh"}},
		{"BadKey", "POST", "/api/v1/enrollments", `{"course_id":1}`, []string{"Idempotency-Key", "bad key"}},
		{"KeyAnswered", "POST", "/api/v1/enrollments", `{"course_id":3}`, []string{"Idempotency-Key", "done"}},
		{"KeyPending", "POST", "/api/v1/enrollments", `{"course_id":1}`, []string{"Idempotency-Key", "pending"}},
		{"Cancel", "DELETE", "/api/v1/enrollments/3", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			status, body := e.do(tc.method, tc.path, tc.body, append(slices.Clone(revoked), tc.headers...)...)
			assert.Equal(t, 401, status, string(body))
			assert.Equal(t, core.CodeAdmissionRequired, errorCode(body))
			assert.Less(t, time.Since(start), time.Second, "answered at once, not after waiting for a seat or a key")
		})
	}

	// Nothing was written, held or claimed.
	e.checkSeats()
	var n int
	require.NoError(t, e.db.QueryRow("SELECT COUNT(*) FROM enrollments").Scan(&n))
	assert.Equal(t, 2, n)
	v, err := e.rdb.Get(context.Background(), pendingKey).Result()
	require.NoError(t, err)
	assert.Equal(t, "P", v, "the other request keeps its key")
	// The key the revoked token tried is free: a valid token gets its own
	// answer with it, and the answered key still replays.
	status, body := e.enroll(ids[0], 1, "Idempotency-Key", "fresh")
	assert.Equal(t, 201, status, string(body))
	status, h, body := e.doFull("POST", "/api/v1/enrollments", `{"course_id":3}`,
		"Authorization", "Bearer "+e.admission(ids[0]), "Idempotency-Key", "done")
	assert.Equal(t, 201, status, string(body))
	assert.Equal(t, "true", string(h.Peek("Idempotent-Replayed")))
	e.checkSeats()
}

// TestIdempotencyKeyRevokedRepeats: concurrent repeats of one key, half of
// them with a revoked admission token: the revoked ones get 401, the others
// one answer, and one enrollment is made.
func TestIdempotencyKeyRevokedRepeats(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(1)
	e.putCourse(course(1, 10, 3))
	tok, adm, err := token.Issuer{Keys: e.tokens.Admission}.Admission(ids[0], time.Minute)
	require.NoError(t, err)
	require.NoError(t, e.rdb.Set(context.Background(), token.RevokedKey(adm.ID), 1, time.Minute).Err())
	t.Cleanup(func() { e.rdb.Del(context.Background(), token.RevokedKey(adm.ID)) })
	valid := "Bearer " + e.admission(ids[0])

	answers := make([]string, 40)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			auth := valid
			if i%2 == 1 {
				auth = "Bearer " + tok
			}
			status, body := e.do("POST", "/api/v1/enrollments", `{"course_id":1}`, "Authorization", auth, "Idempotency-Key", "click")
			answers[i] = fmt.Sprintf("%d %s", status, body)
		}()
	}
	wg.Wait()
	for i, a := range answers {
		if i%2 == 1 {
			assert.Contains(t, a, "401 ")
			assert.Contains(t, a, core.CodeAdmissionRequired)
		} else {
			assert.Equal(t, answers[0], a)
		}
	}
	assert.Contains(t, answers[0], "201 ")
	var n int
	require.NoError(t, e.db.QueryRow("SELECT COUNT(*) FROM enrollments").Scan(&n))
	assert.Equal(t, 1, n)
	e.checkSeats()
}

// TestRedisDown: with Redis unreachable, enrollment answers 503 UNAVAILABLE
// and writes nothing; reads fall back to MySQL's counts.
func TestRedisDown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(1)
	e.putCourse(course(1, 10, 3))

	// Through the autopipeliner, as in production: a dead server must fail
	// each request, not hang it.
	dc, err := redisclient.Wrap(goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond}), redisclient.FullDuplex)
	require.NoError(t, err)
	t.Cleanup(func() { dc.Close() })
	dead := dc.Fast
	seats := &coreredis.Seats{Client: dead, Prefix: e.prefix}
	e.srv.Seats = seats
	e.srv.Registrar.Seats = seats
	e.srv.Replies = &coreredis.Replies{Client: dead, Prefix: e.prefix}
	e.srv.Revocations = &coreredis.Revocations{Client: dead}

	for _, headers := range [][]string{nil, {"Idempotency-Key", "k1"}} {
		status, h, body := e.doFull("POST", "/api/v1/enrollments", `{"course_id":1}`,
			append([]string{"Authorization", "Bearer " + e.admission(ids[0])}, headers...)...)
		assert.Equal(t, 503, status, string(body))
		assert.Equal(t, core.CodeUnavailable, errorCode(body))
		assert.NotEmpty(t, string(h.Peek("Retry-After")))
	}
	// A bad body still needs the revocation check first.
	status, body := e.do("POST", "/api/v1/enrollments", `{}`, "Authorization", "Bearer "+e.admission(ids[0]))
	assert.Equal(t, 503, status, string(body))
	var n int
	require.NoError(t, e.db.QueryRow("SELECT COUNT(*) FROM enrollments").Scan(&n))
	assert.Zero(t, n)

	// The timetable with an admission token needs the revocation check.
	status, body = e.do("GET", "/api/v1/enrollments", "", "Authorization", "Bearer "+e.admission(ids[0]))
	assert.Equal(t, 503, status, string(body))
	status, body = e.do("GET", "/api/v1/enrollments", "", "Authorization", "Bearer "+e.session(ids[0]))
	assert.Equal(t, 200, status, string(body))

	status, body = e.do("GET", "/api/v1/courses/1", "")
	require.Equal(t, 200, status, string(body))
	var c core.Course
	require.NoError(t, json.Unmarshal(body, &c))
	assert.Equal(t, 10, c.Remaining)
}
