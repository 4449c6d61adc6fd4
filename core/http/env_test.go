package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"
	"golang.org/x/crypto/bcrypt"

	"classmate/core"
	corehttp "classmate/core/http"
	coremysql "classmate/core/mysql"
	coreredis "classmate/core/redis"
	"classmate/internal/dbtest"
	"classmate/internal/redisclient"
	"classmate/token"
)

const adminToken = "test-admin-token"

// env is a core server on a fresh database and Redis key prefix, served over
// an in-memory listener.
type env struct {
	t        testing.TB
	db       *dbtest.DB
	mdb      *coremysql.DB
	rdb      *redis.Client
	prefix   string
	seats    *coreredis.Seats
	store    *coremysql.Enrollments
	srv      *corehttp.Server
	client   *fasthttp.Client
	tokens   token.Config
	students int
}

var (
	hashOnce sync.Once
	hash     string
)

// passwordHash is the bcrypt hash of "classmate", computed once.
func passwordHash() string {
	hashOnce.Do(func() {
		b, _ := bcrypt.GenerateFromPassword([]byte("classmate"), bcrypt.MinCost)
		hash = string(b)
	})
	return hash
}

func newEnv(t testing.TB) *env {
	t.Helper()
	db := dbtest.MustOpenDB(t)
	rdb, prefix := dbtest.MustOpenRedis(t)
	tokens, err := token.FromEnv(func(string) string { return "" }, true)
	require.NoError(t, err)
	// The request paths use the production client: the autopipeliner.
	rc, err := redisclient.Wrap(rdb, redisclient.FullDuplex)
	require.NoError(t, err)
	t.Cleanup(func() { rc.Close() })
	fast := rc.Fast

	mdb := &coremysql.DB{Primary: db.DB, Replica: db.DB}
	seats := &coreredis.Seats{Client: fast, Prefix: prefix}
	store := &coremysql.Enrollments{DB: mdb}
	e := &env{t: t, db: db, mdb: mdb, rdb: rdb, prefix: prefix, seats: seats, store: store, tokens: tokens}
	e.srv = &corehttp.Server{
		Students:    &coremysql.Students{DB: mdb},
		Courses:     &coremysql.Courses{DB: mdb},
		Carts:       &coremysql.Carts{DB: mdb},
		Enrollments: store,
		Registrar:   &core.Registrar{Store: store, States: &coremysql.SeatStates{DB: mdb}, Seats: seats},
		Seats:       seats,
		Replies:     &coreredis.Replies{Client: fast, Prefix: prefix},
		Revocations: &coreredis.Revocations{Client: fast},
		Tokens:      tokens,
		AdminToken:  adminToken,
		Timeout:     10 * time.Second,
		Ready: func(ctx context.Context) error {
			return db.PingContext(ctx)
		},
	}
	ln := fasthttputil.NewInmemoryListener()
	go e.srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.srv.Shutdown(ctx)
	})
	e.client = &fasthttp.Client{
		Dial:            func(string) (net.Conn, error) { return ln.Dial() },
		MaxConnsPerHost: 16384,
		ReadTimeout:     30 * time.Second,
	}
	return e
}

// useReplica makes course reads go to the real replica.
func (e *env) useReplica() {
	e.mdb.Replica = dbtest.MustOpenReplica(e.t, e.db)
}

// addStudents inserts n students numbered 2026000001… with password
// "classmate" and a credit limit of 18, and returns their ids.
func (e *env) addStudents(n int) []int64 {
	e.t.Helper()
	var ids []int64
	for i := 0; i < n; i++ {
		e.students++
		no := fmt.Sprintf("2026%06d", e.students)
		res, err := e.db.Exec("INSERT INTO students (student_no, name, department, max_credits, password_hash) VALUES (?, ?, ?, 18, ?)",
			no, "학생"+no[6:], "컴퓨터공학과", passwordHash())
		require.NoError(e.t, err)
		id, _ := res.LastInsertId()
		ids = append(ids, id)
	}
	return ids
}

// addStudentsBulk inserts n students like addStudents, 1,000 rows a
// statement.
func (e *env) addStudentsBulk(n int) []int64 {
	e.t.Helper()
	var ids []int64
	for done := 0; done < n; {
		k := min(1000, n-done)
		q := "INSERT INTO students (student_no, name, department, max_credits, password_hash) VALUES "
		var args []any
		for i := 0; i < k; i++ {
			if i > 0 {
				q += ","
			}
			e.students++
			q += "(?, '학생', '컴퓨터공학과', 18, ?)"
			args = append(args, fmt.Sprintf("2026%06d", e.students), passwordHash())
		}
		res, err := e.db.Exec(q, args...)
		require.NoError(e.t, err)
		first, _ := res.LastInsertId()
		for i := 0; i < k; i++ {
			ids = append(ids, first+int64(i))
		}
		done += k
	}
	return ids
}

// course builds a valid course with id and slots like "MON 09:00-10:15".
func course(id int64, capacity, credits int, slots ...string) core.Course {
	c := core.Course{ID: id, Code: fmt.Sprintf("TST%04d-01", id), Title: fmt.Sprintf("시험과목%d", id),
		Professor: "김교수", Department: "컴퓨터공학과", Credits: credits, Capacity: capacity, Room: "공학관 101"}
	if len(slots) == 0 {
		slots = []string{fmt.Sprintf("SAT %02d:00-%02d:30", 8+id%12, 8+id%12)}
	}
	for _, s := range slots {
		var sl core.Slot
		sl.Day, sl.Start, sl.End = s[:3], s[4:9], s[10:15]
		c.Schedule = append(c.Schedule, sl)
	}
	return c
}

// putCourse creates or updates a course through the admin API.
func (e *env) putCourse(c core.Course) core.Course {
	e.t.Helper()
	b, _ := json.Marshal(c)
	status, body := e.do("PUT", fmt.Sprintf("/admin/v1/courses/%d", c.ID), string(b), "Authorization", "Bearer "+adminToken)
	require.Equal(e.t, 200, status, string(body))
	var out core.Course
	require.NoError(e.t, json.Unmarshal(body, &out))
	return out
}

func (e *env) session(studentID int64) string {
	no := fmt.Sprintf("2026%06d", studentID)
	tok, _, err := token.Issuer{Keys: e.tokens.Session}.Session(studentID, no, time.Hour)
	require.NoError(e.t, err)
	return tok
}

func (e *env) admission(studentID int64) string {
	tok, _, err := token.Issuer{Keys: e.tokens.Admission}.Admission(studentID, 10*time.Minute)
	require.NoError(e.t, err)
	return tok
}

// do sends a request; headers come as name, value pairs. A body is sent as
// application/json unless a Content-Type header is given.
func (e *env) do(method, path, body string, headers ...string) (int, []byte) {
	status, _, b := e.doFull(method, path, body, headers...)
	return status, b
}

func (e *env) doFull(method, path, body string, headers ...string) (int, *fasthttp.ResponseHeader, []byte) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI("http://core" + path)
	req.Header.SetMethod(method)
	if body != "" {
		req.Header.SetContentType("application/json")
		req.SetBodyString(body)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if err := e.client.Do(req, resp); err != nil {
		e.t.Errorf("%s %s: %v", method, path, err)
		return 0, nil, nil
	}
	h := &fasthttp.ResponseHeader{}
	resp.Header.CopyTo(h)
	return resp.StatusCode(), h, append([]byte(nil), resp.Body()...)
}

// enroll posts an enrollment with the student's admission token.
func (e *env) enroll(studentID, courseID int64, headers ...string) (int, []byte) {
	h := append([]string{"Authorization", "Bearer " + e.admission(studentID)}, headers...)
	return e.do("POST", "/api/v1/enrollments", fmt.Sprintf(`{"course_id": %d}`, courseID), h...)
}

// errorCode returns the code of an error body.
func errorCode(body []byte) string {
	var b struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal(body, &b)
	return b.Error.Code
}

// checkSeats asserts that every course's Redis counter equals MySQL and that
// no course is oversold.
func (e *env) checkSeats() {
	e.t.Helper()
	rows, err := e.db.Query(`SELECT c.id, c.capacity, c.enrolled, (SELECT COUNT(*) FROM enrollments x WHERE x.course_id = c.id) FROM courses c`)
	require.NoError(e.t, err)
	defer rows.Close()
	for rows.Next() {
		var id int64
		var capacity, enrolled, counted int
		require.NoError(e.t, rows.Scan(&id, &capacity, &enrolled, &counted))
		require.Equal(e.t, counted, enrolled, "course %d: counter column vs rows", id)
		require.LessOrEqual(e.t, enrolled, capacity, "course %d oversold", id)
		live, err := e.seats.Remaining(context.Background(), id)
		require.NoError(e.t, err)
		require.Equal(e.t, capacity-enrolled, live[id], "course %d: Redis remaining vs MySQL", id)
		n, err := e.rdb.HLen(context.Background(), e.prefix+fmt.Sprintf("seat:{c%d}:h", id)).Result()
		require.NoError(e.t, err)
		require.Zero(e.t, n, "course %d: holds left in flight", id)
	}
	require.NoError(e.t, rows.Err())
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return strings.TrimSpace(string(b))
}
