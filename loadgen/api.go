package loadgen

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// The load generator drives the HTTP contract of ../shared/docs/API.md;
// these are the parts of it that it reads.

// Session is a logged-in student.
type Session struct {
	No        string    `json:"student_no"`
	ID        int64     `json:"id"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Ticket is a queue ticket (POST /queue/v1/join, GET /queue/v1/status).
type Ticket struct {
	Ticket             string     `json:"ticket"`
	State              string     `json:"state"`
	Position           int64      `json:"position"`
	EtaSeconds         int64      `json:"eta_seconds"`
	OpensAt            time.Time  `json:"opens_at"`
	AdmissionToken     string     `json:"admission_token"`
	AdmissionExpiresAt *time.Time `json:"admission_expires_at"`
}

// Frame is a WebSocket frame of /queue/v1/ws.
type Frame struct {
	Type           string `json:"type"`
	State          string `json:"state"`
	Position       int64  `json:"position"`
	EtaSeconds     int64  `json:"eta_seconds"`
	AdmissionToken string `json:"admission_token"`
}

// RoomPatch is the body of PUT /admin/v1/room; nil fields are left out.
type RoomPatch struct {
	OpensAt         *time.Time `json:"opens_at,omitempty"`
	PrequeueSeconds *int       `json:"prequeue_seconds,omitempty"`
	MaxActive       *int       `json:"max_active,omitempty"`
	AdmitPerSecond  *float64   `json:"admit_per_second,omitempty"`
	Mode            string     `json:"mode,omitempty"`
	Paused          *bool      `json:"paused,omitempty"`
	SessionSeconds  *int       `json:"session_seconds,omitempty"`
}

// RoomStatus is the answer of GET /admin/v1/room.
type RoomStatus struct {
	Room          json.RawMessage `json:"room"`
	Waiting       int64           `json:"waiting"`
	Active        int64           `json:"active"`
	AdmittedTotal int64           `json:"admitted_total"`
	AdmitRate     float64         `json:"admit_rate"`
}

// Slot is one weekly slot of a course's schedule.
type Slot struct {
	Day   string `json:"day"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// Course is the contract's Course object.
type Course struct {
	ID         int64  `json:"id"`
	Code       string `json:"code"`
	Title      string `json:"title"`
	Professor  string `json:"professor"`
	Department string `json:"department"`
	Credits    int    `json:"credits"`
	Capacity   int    `json:"capacity"`
	Remaining  int    `json:"remaining,omitempty"`
	Schedule   []Slot `json:"schedule"`
	Room       string `json:"room"`
}

// SearchPage is the answer of GET /api/v1/courses.
type SearchPage struct {
	Items      []Course `json:"items"`
	NextCursor *string  `json:"next_cursor"`
}

func ptr[T any](v T) *T { return &v }

// studentNo returns the demo student number of student i (1-based).
func studentNo(i int) string { return fmt.Sprintf("2026%06d", i) }

// enrollBody is the body of POST /api/v1/enrollments.
func enrollBody(courseID int64) []byte {
	b := make([]byte, 0, 32)
	b = append(b, `{"course_id":`...)
	b = strconv.AppendInt(b, courseID, 10)
	return append(b, '}')
}

// decode unmarshals a 2xx body into v, or reports the status and error code.
func decode(r Resp, want int, v any) error {
	if r.Err != nil {
		return r.Err
	}
	if r.Status != want {
		return fmt.Errorf("status %d %s", r.Status, errorCode(r.Body))
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(r.Body, v)
}
