package core

import (
	"context"

	"golang.org/x/crypto/bcrypt"
)

// Student is a student who can log in and enroll.
type Student struct {
	ID           int64  `json:"id"`
	StudentNo    string `json:"student_no"`
	Name         string `json:"name"`
	Department   string `json:"department"`
	MaxCredits   int    `json:"max_credits"`
	PasswordHash string `json:"-"`
}

// StudentStore reads students.
type StudentStore interface {
	// StudentByNo returns the student with that student number, or
	// ErrNotFound.
	StudentByNo(ctx context.Context, studentNo string) (Student, error)
}

// ValidStudentNo reports whether s is a 10-digit student number.
func ValidStudentNo(s string) bool {
	if len(s) != 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// PasswordMatches reports whether password matches the bcrypt hash.
func PasswordMatches(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}
