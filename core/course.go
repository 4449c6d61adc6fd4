package core

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// Days are the weekdays a slot may fall on, in order.
var Days = []string{"MON", "TUE", "WED", "THU", "FRI", "SAT"}

// Slot is one weekly meeting of a course: Start and End are "HH:MM", 24 h,
// with Start < End.
type Slot struct {
	Day   string `json:"day"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// Course is a course of the catalogue. Remaining is capacity minus seats
// taken: live from the seat counter where the contract says so.
type Course struct {
	ID         int64  `json:"id"`
	Code       string `json:"code"`
	Title      string `json:"title"`
	Professor  string `json:"professor"`
	Department string `json:"department"`
	Credits    int    `json:"credits"`
	Capacity   int    `json:"capacity"`
	Remaining  int    `json:"remaining"`
	Schedule   []Slot `json:"schedule"`
	Room       string `json:"room"`
	// Enrolled is the committed seat count (MySQL). Not part of the JSON
	// contract.
	Enrolled int `json:"-"`
	// Version increases on every change of the row; the indexer uses it as
	// the external document version.
	Version int64 `json:"-"`
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// Validate checks a course as an admin would send it.
func (c *Course) Validate() error {
	switch {
	case !codePattern.MatchString(c.Code):
		return Errorf(CodeBadRequest, "code must be 1–32 characters of [A-Za-z0-9._-]")
	case !textOK(c.Title, 128):
		return Errorf(CodeBadRequest, "title must be 1–128 characters")
	case !textOK(c.Professor, 64):
		return Errorf(CodeBadRequest, "professor must be 1–64 characters")
	case !textOK(c.Department, 64):
		return Errorf(CodeBadRequest, "department must be 1–64 characters")
	case !textOK(c.Room, 64):
		return Errorf(CodeBadRequest, "room must be 1–64 characters")
	case c.Credits < 1 || c.Credits > 6:
		return Errorf(CodeBadRequest, "credits must be 1–6")
	case c.Capacity < 1 || c.Capacity > 10000:
		return Errorf(CodeBadRequest, "capacity must be 1–10000")
	case len(c.Schedule) < 1 || len(c.Schedule) > 4:
		return Errorf(CodeBadRequest, "schedule must hold 1–4 slots")
	}
	for _, s := range c.Schedule {
		if err := s.Validate(); err != nil {
			return err
		}
	}
	return nil
}

func textOK(s string, max int) bool {
	n := utf8.RuneCountInString(s)
	return utf8.ValidString(s) && n >= 1 && n <= max
}

// Validate checks one slot.
func (s Slot) Validate() error {
	if !ValidDay(s.Day) {
		return Errorf(CodeBadRequest, "day must be one of MON…SAT")
	}
	start, ok1 := Minutes(s.Start)
	end, ok2 := Minutes(s.End)
	if !ok1 || !ok2 {
		return Errorf(CodeBadRequest, "start and end must be HH:MM")
	}
	if start >= end {
		return Errorf(CodeBadRequest, "start must be before end")
	}
	return nil
}

// ValidDay reports whether d is one of Days.
func ValidDay(d string) bool {
	for _, x := range Days {
		if x == d {
			return true
		}
	}
	return false
}

// Minutes parses "HH:MM" (00:00–23:59, or 24:00) into minutes after midnight.
func Minutes(hhmm string) (int, bool) {
	if len(hhmm) != 5 || hhmm[2] != ':' {
		return 0, false
	}
	h, err1 := strconv.Atoi(hhmm[:2])
	m, err2 := strconv.Atoi(hhmm[3:])
	if err1 != nil || err2 != nil || hhmm[0] == '+' || hhmm[3] == '+' || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

// Overlaps reports whether two slots meet on the same day for a positive
// length of time; a slot that ends when the other starts does not overlap.
func (s Slot) Overlaps(o Slot) bool {
	if s.Day != o.Day {
		return false
	}
	s1, _ := Minutes(s.Start)
	e1, _ := Minutes(s.End)
	s2, _ := Minutes(o.Start)
	e2, _ := Minutes(o.End)
	return s1 < e2 && s2 < e1
}

// Conflicts reports whether any slot of a overlaps any slot of b.
func Conflicts(a, b []Slot) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Overlaps(y) {
				return true
			}
		}
	}
	return false
}

// EncodeSchedule renders slots as the JSON stored in courses.schedule.
func EncodeSchedule(slots []Slot) string {
	b, _ := json.Marshal(slots)
	return string(b)
}

// DecodeSchedule parses courses.schedule.
func DecodeSchedule(s string) ([]Slot, error) {
	var slots []Slot
	if err := json.Unmarshal([]byte(s), &slots); err != nil {
		return nil, fmt.Errorf("decode schedule %q: %w", s, err)
	}
	return slots, nil
}

// CourseStore reads and writes the catalogue (MySQL).
type CourseStore interface {
	// Course returns a course from a replica (it may lag); ErrNotFound when
	// unknown.
	Course(ctx context.Context, id int64) (Course, error)
	// PutCourse creates or updates the course with c.ID under its row lock,
	// then calls inLock, still under the lock, with its committed seats.
	// A capacity below the seats taken or a duplicate code is ErrConflict.
	PutCourse(ctx context.Context, c Course, inLock func(SeatState) error) (Course, error)
}

// CartStore keeps students' carts. Cart reads are the student's own and
// always fresh.
type CartStore interface {
	// Add puts the course in the cart (idempotent); ErrNotFound when the
	// course is unknown.
	Add(ctx context.Context, studentID, courseID int64) error
	// Remove takes the course out of the cart (idempotent).
	Remove(ctx context.Context, studentID, courseID int64) error
	// Cart lists the cart in the order courses were added.
	Cart(ctx context.Context, studentID int64) ([]Course, error)
}
