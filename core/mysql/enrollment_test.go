package mysql_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/core"
	coremysql "classmate/core/mysql"
	"classmate/internal/dbtest"
)

// fixture is an enrollment store on a fresh database.
type fixture struct {
	db       *dbtest.DB
	store    *coremysql.Enrollments
	students int
}

func newFixture(tb testing.TB, maxBatch int) *fixture {
	db := dbtest.MustOpenDB(tb)
	mdb := &coremysql.DB{Primary: db.DB, Replica: db.DB}
	return &fixture{db: db, store: &coremysql.Enrollments{DB: mdb, MaxBatch: maxBatch, Timeout: 30 * time.Second}}
}

// addStudents inserts n students with the credit limit and returns their
// ids. Bulk inserts keep benchmark setup short.
func (f *fixture) addStudents(tb testing.TB, n, maxCredits int) []int64 {
	var first int64
	for done := 0; done < n; {
		k := min(1000, n-done)
		q := "INSERT INTO students (student_no, name, department, max_credits, password_hash) VALUES "
		args := []any{}
		for i := 0; i < k; i++ {
			if i > 0 {
				q += ","
			}
			q += "(?, '학생', '컴퓨터공학과', ?, 'x')"
			args = append(args, fmt.Sprintf("%010d", f.students+done+i+1), maxCredits)
		}
		res, err := f.db.Exec(q, args...)
		require.NoError(tb, err)
		if done == 0 {
			first, _ = res.LastInsertId()
		}
		done += k
	}
	f.students += n
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = first + int64(i)
	}
	return ids
}

// addCourse inserts a course; slot is "MON 09:00-10:15".
func (f *fixture) addCourse(tb testing.TB, id int64, capacity, credits int, slots ...string) {
	var sched []core.Slot
	for _, s := range slots {
		sched = append(sched, core.Slot{Day: s[:3], Start: s[4:9], End: s[10:15]})
	}
	_, err := f.db.Exec("INSERT INTO courses (id, code, title, professor, department, credits, capacity, schedule, room)"+
		" VALUES (?, ?, '과목', '교수', '학과', ?, ?, ?, '강의실')",
		id, fmt.Sprintf("C%d", id), credits, capacity, core.EncodeSchedule(sched))
	require.NoError(tb, err)
}

// minuteSlot returns the n-th of 8,640 disjoint one-minute slots.
func minuteSlot(n int) string {
	day := core.Days[n/1440%6]
	m := n % 1440
	end := m + 1
	return fmt.Sprintf("%s %02d:%02d-%02d:%02d", day, m/60, m%60, end/60, end%60)
}

// TestBatchedEnrollRules: many concurrent enrollments of one course commit
// in batches, and each request still gets its own rule checked.
func TestBatchedEnrollRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 32)
	students := f.addStudents(t, 400, 18)
	// 350 seats: more than the 300 students who pass the rules, so the
	// answers do not depend on the order of the race.
	f.addCourse(t, 1, 350, 3, "MON 09:00-10:30")
	f.addCourse(t, 3, 1000, 1, "MON 10:00-11:00") // overlaps course 1
	for id := int64(4); id <= 6; id++ {           // 18 credits in all
		f.addCourse(t, id, 1000, 6, fmt.Sprintf("FRI %02d:00-%02d:00", id+5, id+6))
	}
	ctx := context.Background()
	// Students 0–49 hold 18 credits: course 1 would pass the limit.
	// Students 50–99 hold course 3: course 1 overlaps it.
	for i, sid := range students[:100] {
		courses := []int64{4, 5, 6}
		if i >= 50 {
			courses = []int64{3}
		}
		for _, c := range courses {
			_, _, err := f.store.Enroll(ctx, sid, c)
			require.NoError(t, err)
		}
	}

	results := make([]error, len(students))
	var wg sync.WaitGroup
	for i, sid := range students {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, results[i] = f.store.Enroll(ctx, sid, 1)
		}()
	}
	wg.Wait()
	count := map[string]int{}
	for i, err := range results {
		code := "OK"
		if err != nil {
			code = core.ErrorCode(err)
		}
		count[code]++
		switch {
		case i < 50:
			assert.ErrorIs(t, err, core.ErrCreditLimitExceeded, "student %d", i)
		case i < 100:
			assert.ErrorIs(t, err, core.ErrTimeConflict, "student %d", i)
		default:
			assert.NoError(t, err, "student %d", i)
		}
	}
	assert.Equal(t, map[string]int{"OK": 300, core.CodeCreditLimitExceeded: 50, core.CodeTimeConflict: 50}, count)

	// Sold out: 50 more students fill the course, the next one is refused.
	more := f.addStudents(t, 51, 18)
	for _, sid := range more[:50] {
		_, _, err := f.store.Enroll(ctx, sid, 1)
		require.NoError(t, err)
	}
	_, _, err := f.store.Enroll(ctx, more[50], 1)
	assert.ErrorIs(t, err, core.ErrSoldOut)
	_, _, err = f.store.Enroll(ctx, students[200], 1)
	assert.ErrorIs(t, err, core.ErrAlreadyEnrolled)
	_, _, err = f.store.Enroll(ctx, students[200], 99)
	assert.ErrorIs(t, err, core.ErrNotFound)

	var enrolled, rows, version int
	require.NoError(t, f.db.QueryRow("SELECT enrolled, version FROM courses WHERE id = 1").Scan(&enrolled, &version))
	require.NoError(t, f.db.QueryRow("SELECT COUNT(*) FROM enrollments WHERE course_id = 1").Scan(&rows))
	assert.Equal(t, 350, enrolled)
	assert.Equal(t, 350, rows)
	assert.Less(t, version, 1+350, "some enrollments shared a transaction")
}

// TestBatchFailureWritesNothing: a batch whose commit fails answers every
// request with an error and writes none of them.
func TestBatchFailureWritesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 32)
	students := f.addStudents(t, 50, 18)
	f.addCourse(t, 1, 100, 3, "MON 09:00-10:30")
	f.store.BeforeCommit = func(context.Context, *sql.Tx) error { return errors.New("injected") }
	var wg sync.WaitGroup
	for _, sid := range students {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := f.store.Enroll(context.Background(), sid, 1)
			assert.Error(t, err)
		}()
	}
	wg.Wait()
	var enrolled, rows int
	require.NoError(t, f.db.QueryRow("SELECT enrolled FROM courses WHERE id = 1").Scan(&enrolled))
	require.NoError(t, f.db.QueryRow("SELECT COUNT(*) FROM enrollments").Scan(&rows))
	assert.Zero(t, enrolled)
	assert.Zero(t, rows)
}
