package mysql

import (
	"context"
	"fmt"
	"time"

	"classmate/core"
)

// Carts is the cart store. It implements core.CartStore.
type Carts struct {
	DB *DB
}

var _ core.CartStore = (*Carts)(nil)

// Add implements core.CartStore.
func (s *Carts) Add(ctx context.Context, studentID, courseID int64) error {
	defer observe("cart_add", time.Now())
	// INSERT … SELECT answers "unknown course" and "already there" in one
	// statement: no row is inserted for a course that does not exist.
	res, err := s.DB.Primary.ExecContext(ctx,
		"INSERT IGNORE INTO cart_items (student_id, course_id, added_at) SELECT ?, id, ? FROM courses WHERE id = ?",
		studentID, time.Now().UTC(), courseID)
	if err != nil {
		return translate(fmt.Errorf("add to cart: %w", err))
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var exists bool
	if err := s.DB.Primary.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM courses WHERE id = ?)", courseID).Scan(&exists); err != nil {
		return translate(fmt.Errorf("add to cart: %w", err))
	}
	if !exists {
		return core.ErrNotFound
	}
	return nil
}

// Remove implements core.CartStore.
func (s *Carts) Remove(ctx context.Context, studentID, courseID int64) error {
	defer observe("cart_remove", time.Now())
	_, err := s.DB.Primary.ExecContext(ctx, "DELETE FROM cart_items WHERE student_id = ? AND course_id = ?", studentID, courseID)
	return translate(err)
}

// Cart implements core.CartStore. It reads the primary: a student sees
// their own changes at once.
func (s *Carts) Cart(ctx context.Context, studentID int64) ([]core.Course, error) {
	defer observe("cart", time.Now())
	rows, err := s.DB.Primary.QueryContext(ctx,
		"SELECT "+courseColumns("c")+" FROM cart_items i JOIN courses c ON c.id = i.course_id"+
			" WHERE i.student_id = ? ORDER BY i.added_at, c.id", studentID)
	if err != nil {
		return nil, translate(fmt.Errorf("cart: %w", err))
	}
	defer rows.Close()
	out := []core.Course{}
	for rows.Next() {
		var c core.Course
		if err := scanCourse(rows, &c); err != nil {
			return nil, fmt.Errorf("cart: %w", err)
		}
		out = append(out, c)
	}
	return out, translate(rows.Err())
}
