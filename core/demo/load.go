package demo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"classmate/core"
)

// batchRows is the number of rows of one INSERT statement. With at most 10
// columns a statement stays far below MySQL's 65,535 placeholders and
// below the default max_allowed_packet.
const batchRows = 1000

// Load writes Students(nStudents) and Courses(nCourses) into db, whose
// schema must be migrated, in one transaction, and reports true. If the
// students table already has rows it writes nothing and reports false, so
// calling Load on every start is safe; concurrent callers on the same
// database are serialized by a named lock, and only one of them loads.
func Load(ctx context.Context, db *sql.DB, nStudents, nCourses int) (loaded bool, err error) {
	if nStudents < 0 || nStudents > MaxStudents || nCourses < 0 {
		return false, fmt.Errorf("demo: load %d students, %d courses: out of range", nStudents, nCourses)
	}
	// GET_LOCK is per session: hold it, the check and the transaction on
	// one connection. The name includes the database so that tests on
	// separate databases of one server do not wait for each other.
	conn, err := db.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	defer conn.Close()
	const lockName = "CONCAT('classmate_demo_', MD5(DATABASE()))"
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK("+lockName+", 60)").Scan(&got); err != nil {
		return false, fmt.Errorf("demo: lock: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		return false, fmt.Errorf("demo: lock not acquired")
	}
	defer conn.ExecContext(context.Background(), "DO RELEASE_LOCK("+lockName+")")

	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM students)").Scan(&exists); err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	if exists {
		return false, nil
	}

	// Development data only: one bcrypt hash at the lowest cost, shared by
	// every student. Hashing 20,000 passwords one by one would take
	// minutes; real passwords get their own salt and a real cost.
	hash, err := bcrypt.GenerateFromPassword([]byte(Password), bcrypt.MinCost)
	if err != nil {
		return false, fmt.Errorf("demo: hash password: %w", err)
	}
	students := Students(nStudents)
	courses := Courses(nCourses)

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	defer tx.Rollback()

	err = insertRows(ctx, tx, "students (id, student_no, name, department, max_credits, password_hash)", 6, len(students),
		func(i int, args []any) []any {
			s := &students[i]
			return append(args, s.ID, s.StudentNo, s.Name, s.Department, s.MaxCredits, string(hash))
		})
	if err != nil {
		return false, err
	}
	err = insertRows(ctx, tx, "courses (id, code, title, professor, department, credits, capacity, enrolled, schedule, room)", 10, len(courses),
		func(i int, args []any) []any {
			c := &courses[i]
			return append(args, c.ID, c.Code, c.Title, c.Professor, c.Department, c.Credits, c.Capacity, 0,
				core.EncodeSchedule(c.Schedule), c.Room)
		})
	if err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("demo: commit: %w", err)
	}
	return true, nil
}

// insertRows inserts n rows of cols columns into table (given with its
// column list) with multi-row INSERTs of batchRows rows; row appends the
// values of row i to args.
func insertRows(ctx context.Context, tx *sql.Tx, table string, cols, n int, row func(i int, args []any) []any) error {
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	args := make([]any, 0, batchRows*cols)
	var q strings.Builder
	for start := 0; start < n; start += batchRows {
		end := min(start+batchRows, n)
		q.Reset()
		q.WriteString("INSERT INTO ")
		q.WriteString(table)
		q.WriteString(" VALUES ")
		args = args[:0]
		for i := start; i < end; i++ {
			if i > start {
				q.WriteByte(',')
			}
			q.WriteString(tuple)
			args = row(i, args)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			table, _, _ = strings.Cut(table, " ")
			return fmt.Errorf("demo: insert %s rows %d–%d: %w", table, start+1, end, err)
		}
	}
	return nil
}
