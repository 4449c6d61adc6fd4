package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"classmate/core"
)

// Students is the student store. It implements core.StudentStore.
type Students struct {
	DB *DB
}

var _ core.StudentStore = (*Students)(nil)

// StudentByNo implements core.StudentStore. It reads the primary, so a
// student created a moment ago can log in.
func (s *Students) StudentByNo(ctx context.Context, studentNo string) (core.Student, error) {
	defer observe("student_by_no", time.Now())
	var st core.Student
	err := s.DB.Primary.QueryRowContext(ctx,
		"SELECT id, student_no, name, department, max_credits, password_hash FROM students WHERE student_no = ?", studentNo,
	).Scan(&st.ID, &st.StudentNo, &st.Name, &st.Department, &st.MaxCredits, &st.PasswordHash)
	if errors.Is(err, sql.ErrNoRows) {
		return st, core.ErrNotFound
	}
	if err != nil {
		return st, translate(fmt.Errorf("student %s: %w", studentNo, err))
	}
	return st, nil
}
