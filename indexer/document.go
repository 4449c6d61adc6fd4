package indexer

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Slot is one weekly meeting of a course, as stored in courses.schedule:
// Day is MON…SAT, Start and End are "HH:MM".
type Slot struct {
	Day   string `json:"day"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// Document is the search document of one course. Its JSON form is what the
// Elasticsearch sink stores; the bleve sink derives its fields from it.
type Document struct {
	ID         int64  `json:"id"`
	Code       string `json:"code"`
	Title      string `json:"title"`
	Professor  string `json:"professor"`
	Department string `json:"department"`
	Credits    int    `json:"credits"`
	Capacity   int    `json:"capacity"`
	// Remaining is capacity minus committed enrollments when the row was
	// read: it lags the live seat counter.
	Remaining int    `json:"remaining"`
	Schedule  []Slot `json:"schedule"`
	Room      string `json:"room"`
	// Version is the row's version column; it increases on every change.
	Version int64 `json:"version"`
	// Days are the distinct days of Schedule, for the day filter.
	Days []string `json:"days"`
	// TitleChosung and ProfessorChosung are the initial consonants (초성)
	// of Title and Professor: 자료구조 → ㅈㄹㄱㅈ.
	TitleChosung     string `json:"title_chosung"`
	ProfessorChosung string `json:"professor_chosung"`
}

// Row is one row of the courses table by column name, as the snapshot reads
// it ([]byte or string values) or as the binlog decodes it (integers,
// strings). Columns the document does not use are ignored, so rows from a
// table with extra columns decode the same.
type Row map[string]any

// DocumentFromRow builds the document of a row. The id and version columns
// are required; a schedule that is not valid JSON yields an empty schedule
// rather than an error, so one bad row cannot stop the indexer.
func DocumentFromRow(r Row) (Document, error) {
	var d Document
	var err error
	if d.ID, err = rowInt(r, "id"); err != nil {
		return d, err
	}
	if d.Version, err = rowInt(r, "version"); err != nil {
		return d, err
	}
	d.Code, d.Title, d.Professor = rowString(r, "code"), rowString(r, "title"), rowString(r, "professor")
	d.Department, d.Room = rowString(r, "department"), rowString(r, "room")
	credits, _ := rowInt(r, "credits")
	capacity, _ := rowInt(r, "capacity")
	enrolled, _ := rowInt(r, "enrolled")
	d.Credits, d.Capacity, d.Remaining = int(credits), int(capacity), int(max(capacity-enrolled, 0))
	if s := rowString(r, "schedule"); s != "" {
		_ = json.Unmarshal([]byte(s), &d.Schedule)
	}
	d.Derive()
	return d, nil
}

// Derive fills the derived fields (Days, TitleChosung, ProfessorChosung)
// from the others.
func (d *Document) Derive() {
	if d.Schedule == nil {
		d.Schedule = []Slot{}
	}
	// A new slice: d may be a copy sharing Days with its original.
	days := make([]string, 0, len(d.Schedule))
	for _, s := range d.Schedule {
		if !contains(days, s.Day) {
			days = append(days, s.Day)
		}
	}
	d.Days = days
	d.TitleChosung = Chosung(d.Title)
	d.ProfessorChosung = Chosung(d.Professor)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// RowTime returns the row's updated_at column, if it has one that parses.
func RowTime(r Row) (time.Time, bool) {
	s := rowString(r, "updated_at")
	if s == "" {
		if t, ok := r["updated_at"].(time.Time); ok {
			return t, true
		}
		return time.Time{}, false
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05.999999", s, time.UTC)
	return t, err == nil
}

// rowString returns a text column, or "" when absent or NULL.
func rowString(r Row, col string) string {
	switch v := r[col].(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// rowInt returns an integer column; the binlog decodes integers into any of
// Go's integer types, the text protocol into bytes.
func rowInt(r Row, col string) (int64, error) {
	switch v := r[col].(type) {
	case int64:
		return v, nil
	case int32:
		return int64(v), nil
	case int16:
		return int64(v), nil
	case int8:
		return int64(v), nil
	case int:
		return int64(v), nil
	case uint64:
		return int64(v), nil
	case uint32:
		return int64(v), nil
	case uint16:
		return int64(v), nil
	case uint8:
		return int64(v), nil
	case []byte, string:
		n, err := strconv.ParseInt(strings.TrimSpace(rowString(r, col)), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("column %s: %w", col, err)
		}
		return n, nil
	case nil:
		return 0, fmt.Errorf("column %s is missing", col)
	default:
		return 0, fmt.Errorf("column %s has type %T", col, v)
	}
}
