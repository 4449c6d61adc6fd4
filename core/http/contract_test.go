package http_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"

	"classmate/core"
	corehttp "classmate/core/http"
	"classmate/token"
)

// reply is one response as the client saw it.
type reply struct {
	status int
	header *fasthttp.ResponseHeader
	body   []byte
}

func (r reply) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

// call sends a request like do and keeps the response headers. Bodies over
// the 1 MiB fasthttp reads go over a raw connection: the server answers
// those before reading the body and closes the connection, which the
// fasthttp client, still writing, reports as an error.
func (e *env) call(method, path, body string, headers ...string) reply {
	if len(body) > 1<<20 {
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: core\r\nContent-Length: %d\r\n", method, path, len(body))
		ct := "application/json"
		for i := 0; i+1 < len(headers); i += 2 {
			if strings.EqualFold(headers[i], "Content-Type") {
				ct = headers[i+1]
				continue
			}
			fmt.Fprintf(&b, "%s: %s\r\n", headers[i], headers[i+1])
		}
		fmt.Fprintf(&b, "Content-Type: %s\r\n\r\n%s", ct, body)
		return e.raw(b.String())
	}
	status, h, b := e.doFull(method, path, body, headers...)
	if h == nil {
		h = &fasthttp.ResponseHeader{}
	}
	return reply{status: status, header: h, body: b}
}

// raw writes a raw HTTP/1.1 request on a fresh connection and reads one
// response. The request is written concurrently with reading the answer, so
// that a server that answers before reading the whole body does not
// deadlock the test.
func (e *env) raw(request string) reply {
	fail := func(err error) reply {
		e.t.Errorf("raw request %.60q: %v", request, err)
		return reply{header: &fasthttp.ResponseHeader{}}
	}
	conn, err := e.client.Dial("core")
	if err != nil {
		return fail(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		return fail(err)
	}
	go func() { conn.Write([]byte(request)) }()
	var resp fasthttp.Response
	if err := resp.Read(bufio.NewReader(conn)); err != nil {
		return fail(err)
	}
	h := &fasthttp.ResponseHeader{}
	resp.Header.CopyTo(h)
	return reply{status: resp.StatusCode(), header: h, body: append([]byte(nil), resp.Body()...)}
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

// assertError checks an error response against the contract: the status, the
// code, the {"error":{"code","message"}} shape and nothing else at the top,
// a JSON content type and an X-Request-Id.
func assertError(t *testing.T, r reply, status int, code string) {
	t.Helper()
	assert.Equal(t, status, r.status, "response %s", r)
	mt, _, err := mime.ParseMediaType(string(r.header.ContentType()))
	assert.NoError(t, err)
	assert.Equal(t, "application/json", mt)
	assert.Regexp(t, requestIDPattern, string(r.header.Peek("X-Request-Id")))
	var top map[string]json.RawMessage
	if !assert.NoError(t, json.Unmarshal(r.body, &top), "body %q", r.body) {
		return
	}
	assert.Len(t, top, 1, "only \"error\" at the top: %s", r.body)
	var e struct {
		Code    *string `json:"code"`
		Message *string `json:"message"`
	}
	require.NoError(t, json.Unmarshal(top["error"], &e), "body %s", r.body)
	if assert.NotNil(t, e.Code, "error.code: %s", r.body) {
		assert.Equal(t, code, *e.Code, "response %s", r)
	}
	if assert.NotNil(t, e.Message, "error.message: %s", r.body) {
		assert.NotEmpty(t, *e.Message)
	}
}

// assertCourseJSON checks that raw is a Course object with every field of
// the contract, equal to want.
func assertCourseJSON(t *testing.T, raw json.RawMessage, want core.Course) {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &m))
	for _, k := range []string{"id", "code", "title", "professor", "department", "credits", "capacity", "remaining", "schedule", "room"} {
		assert.Contains(t, m, k, "Course field %q in %s", k, raw)
	}
	var got core.Course
	require.NoError(t, json.Unmarshal(raw, &got))
	assert.Equal(t, want, got)
}

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

func hdr(pairs ...[]string) []string {
	var out []string
	for _, p := range pairs {
		out = append(out, p...)
	}
	return out
}

// fixture is an env with students and courses in known states:
//
//	course 1  cap 10  MON 09:00-10:00   held by s[0]
//	course 2  cap 1   TUE 09:00-10:00   held by s[1]: sold out
//	course 3  cap 10  MON 09:30-10:30   overlaps course 1
//	course 4  cap 10  MON 10:00-11:00   touches course 1
//	course 5  cap 10  WED 09:00-10:00   held by nobody
//	course 7  cap 1   MON 09:00-10:00   held by s[1]: sold out, overlaps course 1
//	courses 11–16  cap 10  MON…SAT 13:00-14:00   all held by s[3]: 18 credits
//	course 17 cap 10  MON 15:00-16:00
//	course 18 cap 10  MON 13:30-14:30   overlaps course 11
//
// Every course has 3 credits. s[2], s[4]… hold nothing.
type fixture struct {
	*env
	s       []int64
	courses map[int64]core.Course
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{env: newEnv(t), courses: map[int64]core.Course{}}
	f.s = f.addStudents(10)
	put := func(c core.Course) { f.courses[c.ID] = f.putCourse(c) }
	put(course(1, 10, 3, "MON 09:00-10:00"))
	put(course(2, 1, 3, "TUE 09:00-10:00"))
	put(course(3, 10, 3, "MON 09:30-10:30"))
	put(course(4, 10, 3, "MON 10:00-11:00"))
	put(course(5, 10, 3, "WED 09:00-10:00"))
	put(course(7, 1, 3, "MON 09:00-10:00"))
	for i, day := range core.Days {
		put(course(int64(11+i), 10, 3, day+" 13:00-14:00"))
	}
	put(course(17, 10, 3, "MON 15:00-16:00"))
	put(course(18, 10, 3, "MON 13:30-14:30"))

	mustEnroll := func(student, course int64) {
		status, body := f.enroll(student, course)
		require.Equal(t, 201, status, "student %d course %d: %s", student, course, body)
	}
	mustEnroll(f.s[0], 1)
	mustEnroll(f.s[1], 2)
	mustEnroll(f.s[1], 7)
	for id := int64(11); id <= 16; id++ {
		mustEnroll(f.s[3], id)
	}
	return f
}

func (f *fixture) post(student int64, body string, headers ...string) reply {
	return f.call("POST", "/api/v1/enrollments", body, hdr(bearer(f.admission(student)), headers)...)
}

// TestErrorCodes produces every error code of the core and checks its
// status and shape. UNAVAILABLE is covered by the fault tests.
func TestErrorCodes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.s
	big := `{"course_id":5}` + strings.Repeat(" ", corehttp.MaxBody+1-len(`{"course_id":5}`))
	huge := `{"course_id":5}` + strings.Repeat(" ", 2<<20)
	expiredAdmission, _, err := token.Issuer{Keys: f.tokens.Admission, Now: func() time.Time { return time.Now().Add(-time.Hour) }}.Admission(s[4], 10*time.Minute)
	require.NoError(t, err)
	expiredSession, _, err := token.Issuer{Keys: f.tokens.Session, Now: func() time.Time { return time.Now().Add(-2 * time.Hour) }}.Session(s[4], "2026000005", time.Hour)
	require.NoError(t, err)
	dupCode := course(6, 10, 3)
	dupCode.Code = f.courses[1].Code
	// Once every parallel case has run: none of them wrote anything.
	t.Cleanup(f.checkSeats)

	for _, tc := range []struct {
		name   string
		req    func() reply
		status int
		code   string
	}{
		{"BadRequest", func() reply { return f.post(s[4], `{}`) }, 400, core.CodeBadRequest},

		{"Unauthenticated/NoToken", func() reply { return f.call("GET", "/api/v1/cart", "") }, 401, core.CodeUnauthenticated},
		{"Unauthenticated/GarbageToken", func() reply {
			return f.call("GET", "/api/v1/cart", "", bearer("garbage")...)
		}, 401, core.CodeUnauthenticated},
		{"Unauthenticated/NotBearer", func() reply {
			return f.call("GET", "/api/v1/cart", "", "Authorization", "Basic "+f.session(s[4]))
		}, 401, core.CodeUnauthenticated},
		{"Unauthenticated/EmptyBearer", func() reply {
			return f.call("GET", "/api/v1/cart", "", "Authorization", "Bearer ")
		}, 401, core.CodeUnauthenticated},
		{"Unauthenticated/ExpiredSession", func() reply {
			return f.call("GET", "/api/v1/cart", "", bearer(expiredSession)...)
		}, 401, core.CodeUnauthenticated},
		{"Unauthenticated/AdmissionOnSessionRoute", func() reply {
			return f.call("GET", "/api/v1/cart", "", bearer(f.admission(s[4]))...)
		}, 401, core.CodeUnauthenticated},
		{"Unauthenticated/GarbageOnTimetable", func() reply {
			return f.call("GET", "/api/v1/enrollments", "", bearer("a.b.c")...)
		}, 401, core.CodeUnauthenticated},
		{"Unauthenticated/WrongPassword", func() reply {
			return f.call("POST", "/api/v1/auth/login", `{"student_no":"2026000001","password":"wrong"}`)
		}, 401, core.CodeUnauthenticated},
		{"Unauthenticated/UnknownStudent", func() reply {
			return f.call("POST", "/api/v1/auth/login", `{"student_no":"2026999999","password":"classmate"}`)
		}, 401, core.CodeUnauthenticated},
		{"Unauthenticated/AdminNoToken", func() reply {
			return f.call("POST", "/admin/v1/seats/reconcile", "")
		}, 401, core.CodeUnauthenticated},
		{"Unauthenticated/AdminWrongToken", func() reply {
			return f.call("PUT", "/admin/v1/courses/5", jsonString(f.courses[5]), bearer("wrong-admin-token")...)
		}, 401, core.CodeUnauthenticated},

		{"AdmissionRequired/NoTokenPost", func() reply {
			return f.call("POST", "/api/v1/enrollments", `{"course_id":5}`)
		}, 401, core.CodeAdmissionRequired},
		{"AdmissionRequired/NoTokenDelete", func() reply {
			return f.call("DELETE", "/api/v1/enrollments/1", "")
		}, 401, core.CodeAdmissionRequired},
		{"AdmissionRequired/SessionAsAdmission", func() reply {
			return f.call("POST", "/api/v1/enrollments", `{"course_id":5}`, bearer(f.session(s[4]))...)
		}, 401, core.CodeAdmissionRequired},
		{"AdmissionRequired/SessionAsAdmissionDelete", func() reply {
			return f.call("DELETE", "/api/v1/enrollments/1", "", bearer(f.session(s[0]))...)
		}, 401, core.CodeAdmissionRequired},
		{"AdmissionRequired/Expired", func() reply {
			return f.call("POST", "/api/v1/enrollments", `{"course_id":5}`, bearer(expiredAdmission)...)
		}, 401, core.CodeAdmissionRequired},
		{"AdmissionRequired/Garbage", func() reply {
			return f.call("POST", "/api/v1/enrollments", `{"course_id":5}`, bearer("garbage")...)
		}, 401, core.CodeAdmissionRequired},

		{"Forbidden/SessionOnAdmin", func() reply {
			return f.call("POST", "/admin/v1/seats/reconcile", "", bearer(f.session(s[4]))...)
		}, 403, core.CodeForbidden},
		{"Forbidden/AdmissionOnAdmin", func() reply {
			return f.call("PUT", "/admin/v1/courses/5", jsonString(f.courses[5]), bearer(f.admission(s[4]))...)
		}, 403, core.CodeForbidden},

		{"NotFound/UnknownRoute", func() reply { return f.call("GET", "/api/v1/nope", "") }, 404, core.CodeNotFound},
		{"NotFound/Root", func() reply { return f.call("GET", "/", "") }, 404, core.CodeNotFound},
		{"NotFound/OtherVersion", func() reply { return f.call("GET", "/api/v2/courses/1", "") }, 404, core.CodeNotFound},
		{"NotFound/ExtraSegment", func() reply { return f.call("GET", "/api/v1/courses/1/x", "") }, 404, core.CodeNotFound},
		{"NotFound/UnknownCourse", func() reply { return f.call("GET", "/api/v1/courses/999", "") }, 404, core.CodeNotFound},
		{"NotFound/CartUnknownCourse", func() reply {
			return f.call("PUT", "/api/v1/cart/999", "", bearer(f.session(s[4]))...)
		}, 404, core.CodeNotFound},
		{"NotFound/EnrollUnknownCourse", func() reply { return f.post(s[4], `{"course_id":999}`) }, 404, core.CodeNotFound},
		{"NotFound/CancelUnknownCourse", func() reply {
			return f.call("DELETE", "/api/v1/enrollments/999", "", bearer(f.admission(s[4]))...)
		}, 404, core.CodeNotFound},

		{"NotEnrolled", func() reply {
			return f.call("DELETE", "/api/v1/enrollments/5", "", bearer(f.admission(s[4]))...)
		}, 404, core.CodeNotEnrolled},

		{"MethodNotAllowed/GetLogin", func() reply { return f.call("GET", "/api/v1/auth/login", "") }, 405, core.CodeMethodNotAllowed},
		{"MethodNotAllowed/DeleteCourse", func() reply { return f.call("DELETE", "/api/v1/courses/1", "") }, 405, core.CodeMethodNotAllowed},
		{"MethodNotAllowed/PostHealthz", func() reply { return f.call("POST", "/healthz", "") }, 405, core.CodeMethodNotAllowed},
		{"MethodNotAllowed/PutMetrics", func() reply { return f.call("PUT", "/metrics", "") }, 405, core.CodeMethodNotAllowed},
		{"MethodNotAllowed/PostCart", func() reply {
			return f.call("POST", "/api/v1/cart", `{}`, bearer(f.session(s[4]))...)
		}, 405, core.CodeMethodNotAllowed},
		{"MethodNotAllowed/GetReconcile", func() reply {
			return f.call("GET", "/admin/v1/seats/reconcile", "", bearer(adminToken)...)
		}, 405, core.CodeMethodNotAllowed},

		{"Conflict/DuplicateCode", func() reply {
			return f.call("PUT", "/admin/v1/courses/6", jsonString(dupCode), bearer(adminToken)...)
		}, 409, core.CodeConflict},
		{"SoldOut", func() reply { return f.post(s[2], `{"course_id":2}`) }, 409, core.CodeSoldOut},
		{"AlreadyEnrolled", func() reply { return f.post(s[0], `{"course_id":1}`) }, 409, core.CodeAlreadyEnrolled},

		{"PayloadTooLarge/OneByteOver", func() reply { return f.post(s[5], big) }, 413, core.CodePayloadTooLarge},
		{"PayloadTooLarge/TwoMiB", func() reply { return f.post(s[5], huge) }, 413, core.CodePayloadTooLarge},
		{"PayloadTooLarge/Login", func() reply { return f.call("POST", "/api/v1/auth/login", big) }, 413, core.CodePayloadTooLarge},
		{"PayloadTooLarge/Admin", func() reply {
			return f.call("PUT", "/admin/v1/courses/5", huge, bearer(adminToken)...)
		}, 413, core.CodePayloadTooLarge},

		{"UnsupportedMediaType/Enroll", func() reply {
			return f.post(s[5], `{"course_id":5}`, "Content-Type", "text/plain")
		}, 415, core.CodeUnsupportedMedia},
		{"UnsupportedMediaType/Login", func() reply {
			return f.call("POST", "/api/v1/auth/login", `{"student_no":"2026000001","password":"classmate"}`, "Content-Type", "text/plain")
		}, 415, core.CodeUnsupportedMedia},
		{"UnsupportedMediaType/Form", func() reply {
			return f.call("POST", "/api/v1/auth/login", `student_no=2026000001&password=classmate`, "Content-Type", "application/x-www-form-urlencoded")
		}, 415, core.CodeUnsupportedMedia},
		{"UnsupportedMediaType/JSONLookalike", func() reply {
			return f.post(s[5], `{"course_id":5}`, "Content-Type", "application/jsonp")
		}, 415, core.CodeUnsupportedMedia},
		{"UnsupportedMediaType/Admin", func() reply {
			return f.call("PUT", "/admin/v1/courses/5", jsonString(f.courses[5]), hdr(bearer(adminToken), []string{"Content-Type", "text/json"})...)
		}, 415, core.CodeUnsupportedMedia},

		{"CreditLimitExceeded", func() reply { return f.post(s[3], `{"course_id":17}`) }, 422, core.CodeCreditLimitExceeded},
		{"TimeConflict", func() reply { return f.post(s[0], `{"course_id":3}`) }, 422, core.CodeTimeConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assertError(t, tc.req(), tc.status, tc.code)
		})
	}
}

// TestPrecedence: when several errors apply, the first of 401/403, 405,
// 413, 415, 400, 404, ALREADY_ENROLLED, SOLD_OUT, CREDIT_LIMIT_EXCEEDED,
// TIME_CONFLICT wins.
func TestPrecedence(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.s
	big := `{"course_id":5}` + strings.Repeat(" ", corehttp.MaxBody)
	huge := strings.Repeat("x", 2<<20)
	text := []string{"Content-Type", "text/plain"}
	badCourse := course(999, 0, 3)
	// Once every parallel case has run: none of them wrote anything.
	t.Cleanup(f.checkSeats)

	for _, tc := range []struct {
		name   string
		req    func() reply
		status int
		code   string
	}{
		// 401/403 before 405.
		{"NoTokenWrongMethodSessionPath", func() reply { return f.call("PATCH", "/api/v1/cart", "") }, 401, core.CodeUnauthenticated},
		{"NoTokenWrongMethodCartItem", func() reply { return f.call("GET", "/api/v1/cart/1", "") }, 401, core.CodeUnauthenticated},
		{"NoTokenWrongMethodEnrollments", func() reply { return f.call("PUT", "/api/v1/enrollments", "") }, 401, core.CodeUnauthenticated},
		{"NoTokenWrongMethodGatedPath", func() reply { return f.call("POST", "/api/v1/enrollments/1", "") }, 401, core.CodeAdmissionRequired},
		{"NoTokenWrongMethodAdmin", func() reply { return f.call("GET", "/admin/v1/seats/reconcile", "") }, 401, core.CodeUnauthenticated},
		{"StudentWrongMethodAdmin", func() reply {
			return f.call("GET", "/admin/v1/courses/1", "", bearer(f.session(s[4]))...)
		}, 403, core.CodeForbidden},
		// 405 once the token is right, or on a public path.
		{"TokenWrongMethod", func() reply {
			return f.call("PATCH", "/api/v1/cart/1", "", bearer(f.session(s[4]))...)
		}, 405, core.CodeMethodNotAllowed},
		{"PublicWrongMethod", func() reply { return f.call("DELETE", "/api/v1/auth/login", "") }, 405, core.CodeMethodNotAllowed},
		{"PublicWrongMethodWithTokenlessBody", func() reply {
			return f.call("POST", "/api/v1/courses/1", "garbage", text...)
		}, 405, core.CodeMethodNotAllowed},
		// 405 before 413.
		{"WrongMethodOversized", func() reply { return f.call("PUT", "/api/v1/auth/login", big) }, 405, core.CodeMethodNotAllowed},
		{"WrongMethodTwoMiB", func() reply { return f.call("POST", "/api/v1/courses/1", huge) }, 405, core.CodeMethodNotAllowed},
		// 401 before 413.
		{"OversizedNoTokenGated", func() reply { return f.call("POST", "/api/v1/enrollments", big) }, 401, core.CodeAdmissionRequired},
		{"TwoMiBNoTokenGated", func() reply { return f.call("POST", "/api/v1/enrollments", huge) }, 401, core.CodeAdmissionRequired},
		{"TwoMiBNoTokenAdmin", func() reply { return f.call("PUT", "/admin/v1/courses/1", huge) }, 401, core.CodeUnauthenticated},
		{"TwoMiBStudentOnAdmin", func() reply {
			return f.call("PUT", "/admin/v1/courses/1", huge, bearer(f.session(s[4]))...)
		}, 403, core.CodeForbidden},
		// 413 before 415.
		{"OversizedWrongType", func() reply { return f.post(s[5], big, text...) }, 413, core.CodePayloadTooLarge},
		{"TwoMiBWrongType", func() reply { return f.post(s[5], huge, text...) }, 413, core.CodePayloadTooLarge},
		{"OversizedLoginWrongType", func() reply { return f.call("POST", "/api/v1/auth/login", big, text...) }, 413, core.CodePayloadTooLarge},
		// 415 before 400.
		{"WrongTypeMalformed", func() reply { return f.post(s[5], `{"course_id":`, text...) }, 415, core.CodeUnsupportedMedia},
		{"WrongTypeMalformedLogin", func() reply {
			return f.call("POST", "/api/v1/auth/login", `{"student_no":`, text...)
		}, 415, core.CodeUnsupportedMedia},
		{"WrongTypeInvalidCourse", func() reply {
			return f.call("PUT", "/admin/v1/courses/999", jsonString(badCourse), hdr(bearer(adminToken), text)...)
		}, 415, core.CodeUnsupportedMedia},
		// A multipart body is just a body of the wrong type.
		{"MultipartNoToken", func() reply {
			return f.call("POST", "/api/v1/enrollments", `{"course_id":5}`, "Content-Type", "multipart/form-data; boundary=x")
		}, 401, core.CodeAdmissionRequired},
		{"MultipartWithToken", func() reply {
			return f.post(s[5], "--x\r\nContent-Disposition: form-data; name=\"course_id\"\r\n\r\n5\r\n--x--\r\n",
				"Content-Type", "multipart/form-data; boundary=x")
		}, 415, core.CodeUnsupportedMedia},
		// 400 before 404.
		{"BadKeyUnknownCourse", func() reply {
			return f.post(s[5], `{"course_id":999}`, "Idempotency-Key", "bad key")
		}, 400, core.CodeBadRequest},
		{"MalformedUnknownCourse", func() reply { return f.post(s[5], `{"course_id":999,}`) }, 400, core.CodeBadRequest},
		{"InvalidCourseUnknownID", func() reply {
			return f.call("PUT", "/admin/v1/courses/999", jsonString(badCourse), bearer(adminToken)...)
		}, 400, core.CodeBadRequest},
		// 404 before NOT_ENROLLED.
		{"UnknownCourseNotEnrolled", func() reply {
			return f.call("DELETE", "/api/v1/enrollments/999", "", bearer(f.admission(s[5]))...)
		}, 404, core.CodeNotFound},
		// Domain order.
		{"AlreadyEnrolledInSoldOut", func() reply { return f.post(s[1], `{"course_id":2}`) }, 409, core.CodeAlreadyEnrolled},
		{"AlreadyEnrolledAtCreditLimit", func() reply { return f.post(s[3], `{"course_id":11}`) }, 409, core.CodeAlreadyEnrolled},
		{"SoldOutOverCreditLimit", func() reply { return f.post(s[3], `{"course_id":2}`) }, 409, core.CodeSoldOut},
		{"SoldOutAndTimeConflict", func() reply { return f.post(s[0], `{"course_id":7}`) }, 409, core.CodeSoldOut},
		{"CreditLimitAndTimeConflict", func() reply { return f.post(s[3], `{"course_id":18}`) }, 422, core.CodeCreditLimitExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assertError(t, tc.req(), tc.status, tc.code)
		})
	}
}

// TestTouchingSlots: a slot that ends when another starts is no conflict.
func TestTouchingSlots(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(1)
	e.putCourse(course(1, 10, 3, "MON 09:00-10:00"))
	e.putCourse(course(2, 10, 3, "MON 10:00-11:00"))
	e.putCourse(course(3, 10, 3, "MON 08:00-09:00", "WED 10:59-12:00"))
	e.putCourse(course(4, 10, 3, "WED 11:59-13:00"))
	for _, id := range []int64{1, 2, 3} {
		status, body := e.enroll(ids[0], id)
		require.Equal(t, 201, status, "course %d: %s", id, body)
	}
	r := e.call("POST", "/api/v1/enrollments", `{"course_id":4}`, bearer(e.admission(ids[0]))...)
	assertError(t, r, 422, core.CodeTimeConflict)
	e.checkSeats()
}

// TestCreditLimit: 7 courses of 3 credits with a limit of 18: the 7th is
// refused, and a cancellation makes room again.
func TestCreditLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(1)
	for i := int64(1); i <= 6; i++ {
		e.putCourse(course(i, 10, 3, core.Days[i-1]+" 09:00-10:00"))
	}
	e.putCourse(course(7, 10, 3, "MON 15:00-16:00"))
	for i := int64(1); i <= 6; i++ {
		status, body := e.enroll(ids[0], i)
		require.Equal(t, 201, status, string(body))
		var out struct {
			Enrollment   core.Enrollment `json:"enrollment"`
			TotalCredits int             `json:"total_credits"`
		}
		require.NoError(t, json.Unmarshal(body, &out))
		assert.Equal(t, int(3*i), out.TotalCredits)
		assert.Equal(t, ids[0], out.Enrollment.StudentID)
		assert.Equal(t, i, out.Enrollment.CourseID)
	}
	r := e.call("POST", "/api/v1/enrollments", `{"course_id":7}`, bearer(e.admission(ids[0]))...)
	assertError(t, r, 422, core.CodeCreditLimitExceeded)

	status, _ := e.do("DELETE", "/api/v1/enrollments/6", "", bearer(e.admission(ids[0]))...)
	require.Equal(t, 204, status)
	status, body := e.enroll(ids[0], 7)
	assert.Equal(t, 201, status, string(body))
	e.checkSeats()
}

// TestMalformedInput: bad input of every kind gets a 4xx with the error
// shape, never a 5xx.
func TestMalformedInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.s
	validCourse := func(change func(c *core.Course)) string {
		c := course(40, 10, 3, "THU 09:00-10:00")
		change(&c)
		return jsonString(c)
	}
	type req struct {
		method, path, body string
		headers            []string
	}
	login := func(body string) req { return req{"POST", "/api/v1/auth/login", body, nil} }
	enroll := func(body string) req {
		return req{"POST", "/api/v1/enrollments", body, bearer(f.admission(s[6]))}
	}
	admin := func(path, body string) req { return req{"PUT", path, body, bearer(adminToken)} }
	get := func(path string) req { return req{"GET", path, "", nil} }
	jsonType := []string{"Content-Type", "application/json"}
	// Once every parallel case has run: none of them wrote anything.
	t.Cleanup(func() {
		var n int
		require.NoError(t, f.db.QueryRow("SELECT COUNT(*) FROM courses WHERE id IN (40, 41)").Scan(&n))
		assert.Zero(t, n, "an invalid course was stored")
		require.NoError(t, f.db.QueryRow("SELECT COUNT(*) FROM enrollments WHERE student_id = ?", s[6]).Scan(&n))
		assert.Zero(t, n, "a malformed request enrolled")
		f.checkSeats()
	})

	for _, tc := range []struct {
		name   string
		req    req
		status int
		code   string
	}{
		{"Login/Empty", req{"POST", "/api/v1/auth/login", "", jsonType}, 400, core.CodeBadRequest},
		{"Login/EmptyObject", login(`{}`), 400, core.CodeBadRequest},
		{"Login/Null", login(`null`), 400, core.CodeBadRequest},
		{"Login/Array", login(`[]`), 400, core.CodeBadRequest},
		{"Login/String", login(`"x"`), 400, core.CodeBadRequest},
		{"Login/MissingPassword", login(`{"student_no":"2026000001"}`), 400, core.CodeBadRequest},
		{"Login/MissingStudentNo", login(`{"password":"classmate"}`), 400, core.CodeBadRequest},
		{"Login/NullPassword", login(`{"student_no":"2026000001","password":null}`), 400, core.CodeBadRequest},
		{"Login/NumberStudentNo", login(`{"student_no":2026000001,"password":"classmate"}`), 400, core.CodeBadRequest},
		{"Login/Truncated", login(`{"student_no":"2026000001","password":"class`), 400, core.CodeBadRequest},
		{"Login/InvalidUTF8", login("{\"student_no\":\"2026000001\",\"password\":\"classmate\xff\"}"), 400, core.CodeBadRequest},
		// Well-formed requests with credentials that cannot match are wrong
		// credentials.
		{"Login/ElevenDigits", login(`{"student_no":"20260000011","password":"classmate"}`), 401, core.CodeUnauthenticated},
		{"Login/LettersInStudentNo", login(`{"student_no":"2026ABCDEF","password":"classmate"}`), 401, core.CodeUnauthenticated},
		{"Login/EmptyPassword", login(`{"student_no":"2026000001","password":""}`), 401, core.CodeUnauthenticated},
		{"Login/LongPassword", login(`{"student_no":"2026000001","password":"` + strings.Repeat("p", 100) + `"}`), 401, core.CodeUnauthenticated},

		{"Enroll/Empty", req{"POST", "/api/v1/enrollments", "", hdr(bearer(f.admission(s[6])), jsonType)}, 400, core.CodeBadRequest},
		{"Enroll/Whitespace", enroll(" \n\t "), 400, core.CodeBadRequest},
		{"Enroll/EmptyObject", enroll(`{}`), 400, core.CodeBadRequest},
		{"Enroll/Null", enroll(`null`), 400, core.CodeBadRequest},
		{"Enroll/Array", enroll(`[]`), 400, core.CodeBadRequest},
		{"Enroll/ArrayOfObject", enroll(`[{"course_id":5}]`), 400, core.CodeBadRequest},
		{"Enroll/String", enroll(`"x"`), 400, core.CodeBadRequest},
		{"Enroll/Number", enroll(`5`), 400, core.CodeBadRequest},
		{"Enroll/StringID", enroll(`{"course_id":"12"}`), 400, core.CodeBadRequest},
		{"Enroll/NullID", enroll(`{"course_id":null}`), 400, core.CodeBadRequest},
		{"Enroll/BoolID", enroll(`{"course_id":true}`), 400, core.CodeBadRequest},
		{"Enroll/ArrayID", enroll(`{"course_id":[5]}`), 400, core.CodeBadRequest},
		{"Enroll/ZeroID", enroll(`{"course_id":0}`), 400, core.CodeBadRequest},
		{"Enroll/NegativeID", enroll(`{"course_id":-1}`), 400, core.CodeBadRequest},
		{"Enroll/FractionID", enroll(`{"course_id":1.5}`), 400, core.CodeBadRequest},
		{"Enroll/ExponentID", enroll(`{"course_id":1e30}`), 400, core.CodeBadRequest},
		{"Enroll/SmallExponentID", enroll(`{"course_id":5e0}`), 400, core.CodeBadRequest},
		{"Enroll/OverflowID", enroll(`{"course_id":18446744073709551616}`), 400, core.CodeBadRequest},
		{"Enroll/Truncated", enroll(`{"course_id":5`), 400, core.CodeBadRequest},
		{"Enroll/TrailingComma", enroll(`{"course_id":5,}`), 400, core.CodeBadRequest},
		{"Enroll/TrailingGarbage", enroll(`{"course_id":5} x`), 400, core.CodeBadRequest},
		{"Enroll/TwoObjects", enroll(`{"course_id":5}{"course_id":5}`), 400, core.CodeBadRequest},
		{"Enroll/SingleQuotes", enroll(`{'course_id':5}`), 400, core.CodeBadRequest},
		{"Enroll/InvalidUTF8", enroll("{\"course_id\":5,\"note\":\"\xff\xfe\"}"), 400, core.CodeBadRequest},
		{"Enroll/InvalidUTF8Key", enroll("{\"course_id\xc3\":5}"), 400, core.CodeBadRequest},
		{"Enroll/NonJSONSpace", enroll("\u00a0{\"course_id\":5}"), 400, core.CodeBadRequest},
		{"Enroll/NULByte", enroll("{\"course_id\":5}\x00"), 400, core.CodeBadRequest},
		{"Enroll/KeyTooLong", req{"POST", "/api/v1/enrollments", `{"course_id":5}`,
			hdr(bearer(f.admission(s[6])), []string{"Idempotency-Key", strings.Repeat("k", 65)})}, 400, core.CodeBadRequest},
		{"Enroll/KeyWithSpace", req{"POST", "/api/v1/enrollments", `{"course_id":5}`,
			hdr(bearer(f.admission(s[6])), []string{"Idempotency-Key", "a b"})}, 400, core.CodeBadRequest},
		{"Enroll/KeyWithSlash", req{"POST", "/api/v1/enrollments", `{"course_id":5}`,
			hdr(bearer(f.admission(s[6])), []string{"Idempotency-Key", "a/b"})}, 400, core.CodeBadRequest},
		{"Enroll/KeyKorean", req{"POST", "/api/v1/enrollments", `{"course_id":5}`,
			hdr(bearer(f.admission(s[6])), []string{"Idempotency-Key", "클릭"})}, 400, core.CodeBadRequest},

		{"Course/HugeID", get("/api/v1/courses/99999999999999999999"), 400, core.CodeBadRequest},
		{"Course/MaxInt64PlusOne", get("/api/v1/courses/9223372036854775808"), 400, core.CodeBadRequest},
		{"Course/Letters", get("/api/v1/courses/abc"), 400, core.CodeBadRequest},
		{"Course/Zero", get("/api/v1/courses/0"), 400, core.CodeBadRequest},
		{"Course/Negative", get("/api/v1/courses/-1"), 400, core.CodeBadRequest},
		{"Course/LeadingZero", get("/api/v1/courses/01"), 400, core.CodeBadRequest},
		{"Course/Plus", get("/api/v1/courses/+1"), 400, core.CodeBadRequest},
		{"Course/Fraction", get("/api/v1/courses/1.5"), 400, core.CodeBadRequest},
		{"Course/Space", get("/api/v1/courses/1%20"), 400, core.CodeBadRequest},
		{"Course/LargeUnknown", get("/api/v1/courses/999999999999999"), 404, core.CodeNotFound},

		{"Cart/Letters", req{"PUT", "/api/v1/cart/abc", "", bearer(f.session(s[6]))}, 400, core.CodeBadRequest},
		{"Cart/Zero", req{"DELETE", "/api/v1/cart/0", "", bearer(f.session(s[6]))}, 400, core.CodeBadRequest},
		{"Cart/HugeID", req{"PUT", "/api/v1/cart/99999999999999999999", "", bearer(f.session(s[6]))}, 400, core.CodeBadRequest},
		{"Cancel/Letters", req{"DELETE", "/api/v1/enrollments/abc", "", bearer(f.admission(s[6]))}, 400, core.CodeBadRequest},

		{"Admin/EmptyObject", admin("/admin/v1/courses/40", `{}`), 400, core.CodeBadRequest},
		{"Admin/Null", admin("/admin/v1/courses/40", `null`), 400, core.CodeBadRequest},
		{"Admin/Array", admin("/admin/v1/courses/40", `[]`), 400, core.CodeBadRequest},
		{"Admin/PathLetters", admin("/admin/v1/courses/abc", validCourse(func(*core.Course) {})), 400, core.CodeBadRequest},
		{"Admin/PathZero", admin("/admin/v1/courses/0", validCourse(func(c *core.Course) { c.ID = 0 })), 400, core.CodeBadRequest},
		{"Admin/IDMismatch", admin("/admin/v1/courses/41", validCourse(func(*core.Course) {})), 400, core.CodeBadRequest},
		{"Admin/Credits0", admin("/admin/v1/courses/40", validCourse(func(c *core.Course) { c.Credits = 0 })), 400, core.CodeBadRequest},
		{"Admin/Credits7", admin("/admin/v1/courses/40", validCourse(func(c *core.Course) { c.Credits = 7 })), 400, core.CodeBadRequest},
		{"Admin/Capacity0", admin("/admin/v1/courses/40", validCourse(func(c *core.Course) { c.Capacity = 0 })), 400, core.CodeBadRequest},
		{"Admin/Capacity10001", admin("/admin/v1/courses/40", validCourse(func(c *core.Course) { c.Capacity = 10001 })), 400, core.CodeBadRequest},
		{"Admin/NoSlots", admin("/admin/v1/courses/40", validCourse(func(c *core.Course) { c.Schedule = nil })), 400, core.CodeBadRequest},
		{"Admin/FiveSlots", admin("/admin/v1/courses/40", validCourse(func(c *core.Course) {
			c.Schedule = course(40, 10, 3, "MON 09:00-10:00", "TUE 09:00-10:00", "WED 09:00-10:00", "THU 09:00-10:00", "FRI 09:00-10:00").Schedule
		})), 400, core.CodeBadRequest},
		{"Admin/Sunday", admin("/admin/v1/courses/40", validCourse(func(c *core.Course) { c.Schedule[0].Day = "SUN" })), 400, core.CodeBadRequest},
		{"Admin/StartEqualsEnd", admin("/admin/v1/courses/40", validCourse(func(c *core.Course) { c.Schedule[0].End = "09:00" })), 400, core.CodeBadRequest},
		{"Admin/StartAfterEnd", admin("/admin/v1/courses/40", validCourse(func(c *core.Course) { c.Schedule[0].Start = "11:00" })), 400, core.CodeBadRequest},
		{"Admin/OneDigitHour", admin("/admin/v1/courses/40", validCourse(func(c *core.Course) { c.Schedule[0].Start = "9:00" })), 400, core.CodeBadRequest},
		{"Admin/HalfPast24", admin("/admin/v1/courses/40", validCourse(func(c *core.Course) { c.Schedule[0].End = "24:30" })), 400, core.CodeBadRequest},
		{"Admin/EmptyTitle", admin("/admin/v1/courses/40", validCourse(func(c *core.Course) { c.Title = "" })), 400, core.CodeBadRequest},
		{"Admin/CodeChars", admin("/admin/v1/courses/40", validCourse(func(c *core.Course) { c.Code = "CSE 2010/01" })), 400, core.CodeBadRequest},
		{"Admin/CodeKorean", admin("/admin/v1/courses/40", validCourse(func(c *core.Course) { c.Code = "자료구조" })), 400, core.CodeBadRequest},
		{"Admin/ScheduleString", admin("/admin/v1/courses/40",
			`{"code":"X-1","title":"t","professor":"p","department":"d","credits":3,"capacity":10,"room":"r","schedule":"MON 09:00-10:00"}`), 400, core.CodeBadRequest},
		{"Admin/CreditsString", admin("/admin/v1/courses/40",
			`{"code":"X-1","title":"t","professor":"p","department":"d","credits":"3","capacity":10,"room":"r","schedule":[{"day":"MON","start":"09:00","end":"10:00"}]}`), 400, core.CodeBadRequest},
		{"Admin/InvalidUTF8Title", admin("/admin/v1/courses/40",
			"{\"code\":\"X-1\",\"title\":\"\xff\",\"professor\":\"p\",\"department\":\"d\",\"credits\":3,\"capacity\":10,\"room\":\"r\",\"schedule\":[{\"day\":\"MON\",\"start\":\"09:00\",\"end\":\"10:00\"}]}"), 400, core.CodeBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := f.call(tc.req.method, tc.req.path, tc.req.body, tc.req.headers...)
			assert.Less(t, r.status, 500, "response %s", r)
			assertError(t, r, tc.status, tc.code)
		})
	}
	t.Run("Enroll/KeyEmpty", func(t *testing.T) {
		t.Parallel()
		body := `{"course_id":5}`
		r := f.raw(fmt.Sprintf("POST /api/v1/enrollments HTTP/1.1\r\nHost: core\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: application/json\r\nIdempotency-Key: \r\nContent-Length: %d\r\n\r\n%s", f.admission(s[6]), len(body), body))
		assertError(t, r, 400, core.CodeBadRequest)
	})
}

// TestMalformedHTTP: requests fasthttp itself refuses still get the
// contract's error shape and a request id.
func TestMalformedHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct {
		name    string
		request string
		status  int
		code    string
	}{
		{"BadContentLength", "POST /api/v1/auth/login HTTP/1.1\r\nHost: core\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}", 400, core.CodeBadRequest},
		{"NoHost", "GET /healthz HTTP/1.1\r\n\r\n", 400, core.CodeBadRequest},
		{"BadChunk", "POST /api/v1/auth/login HTTP/1.1\r\nHost: core\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400, core.CodeBadRequest},
		// fasthttp discards the headers of a chunked body it stops reading
		// at 1 MiB, so the token cannot be checked first: 413 is all that
		// can be said.
		{"ChunkedOverLimit", "POST /api/v1/enrollments HTTP/1.1\r\nHost: core\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
			fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", 3<<20, strings.Repeat(" ", 3<<20)), 413, core.CodePayloadTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assertError(t, e.raw(tc.request), tc.status, tc.code)
		})
	}
}

// TestBodyLimit: 64 KiB is accepted, one byte more is not, whichever way
// the body is framed.
func TestBodyLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(2)
	e.putCourse(course(1, 10, 3))
	exact := `{"course_id":1}` + strings.Repeat(" ", corehttp.MaxBody-len(`{"course_id":1}`))
	require.Len(t, exact, 64<<10)

	r := e.call("POST", "/api/v1/enrollments", exact+" ", bearer(e.admission(ids[0]))...)
	assertError(t, r, 413, core.CodePayloadTooLarge)
	r = e.call("POST", "/api/v1/enrollments", exact, bearer(e.admission(ids[0]))...)
	assert.Equal(t, 201, r.status, "a body of exactly 64 KiB is accepted: %s", r)

	chunked := func(body string) string {
		return "POST /api/v1/enrollments HTTP/1.1\r\nHost: core\r\nContent-Type: application/json\r\nAuthorization: Bearer " +
			e.admission(ids[1]) + "\r\nTransfer-Encoding: chunked\r\n\r\n" +
			fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(body), body)
	}
	assertError(t, e.raw(chunked(exact+" ")), 413, core.CodePayloadTooLarge)
	assertError(t, e.raw(chunked(strings.Repeat(" ", 2<<20))), 413, core.CodePayloadTooLarge)
	r = e.raw(chunked(exact))
	assert.Equal(t, 201, r.status, "a chunked body of exactly 64 KiB is accepted: %s", r)
	e.checkSeats()
}

// TestRequestID: X-Request-Id is echoed when valid, replaced otherwise, on
// every response.
func TestRequestID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(1)
	e.putCourse(course(1, 10, 3))
	big := strings.Repeat(" ", corehttp.MaxBody+1)
	huge := strings.Repeat(" ", 2<<20)
	for _, rq := range []struct {
		name               string
		method, path, body string
		headers            []string
		status             int
	}{
		{"Healthz", "GET", "/healthz", "", nil, 200},
		{"Course", "GET", "/api/v1/courses/1", "", nil, 200},
		{"CartPut", "PUT", "/api/v1/cart/1", "", bearer(e.session(ids[0])), 204},
		{"UnknownRoute", "GET", "/nope", "", nil, 404},
		{"UnknownCourse", "GET", "/api/v1/courses/2", "", nil, 404},
		{"Unauthenticated", "GET", "/api/v1/cart", "", nil, 401},
		{"MethodNotAllowed", "GET", "/api/v1/auth/login", "", nil, 405},
		{"TooLarge", "POST", "/api/v1/enrollments", big, bearer(e.admission(ids[0])), 413},
		{"TwoMiB", "POST", "/api/v1/enrollments", huge, bearer(e.admission(ids[0])), 413},
		{"BadRequest", "POST", "/api/v1/enrollments", "{}", bearer(e.admission(ids[0])), 400},
	} {
		for _, id := range []struct {
			name string
			sent string // "" sends no header
			echo bool
		}{
			{"Missing", "", false},
			{"Simple", "abc-123", true},
			{"AllClasses", "Aa0._-zZ9", true},
			{"OneChar", "x", true},
			{"128Chars", strings.Repeat("r", 128), true},
			{"129Chars", strings.Repeat("r", 129), false},
			{"Space", "a b", false},
			{"Slash", "a/b", false},
			{"Colon", "a:b", false},
			{"Unicode", "요청-1", false},
		} {
			t.Run(rq.name+"/"+id.name, func(t *testing.T) {
				t.Parallel()
				headers := rq.headers
				if id.sent != "" {
					headers = hdr(headers, []string{"X-Request-Id", id.sent})
				}
				r := e.call(rq.method, rq.path, rq.body, headers...)
				assert.Equal(t, rq.status, r.status, "response %s", r)
				got := string(r.header.Peek("X-Request-Id"))
				assert.Regexp(t, requestIDPattern, got)
				if id.echo {
					assert.Equal(t, id.sent, got)
				} else {
					assert.NotEqual(t, id.sent, got)
				}
			})
		}
	}
	t.Run("MalformedHTTP", func(t *testing.T) {
		t.Parallel()
		// fasthttp drops the headers it could not parse: the id is a new
		// one, but there is one.
		r := e.raw("GET /healthz HTTP/1.1\r\nX-Request-Id: raw-1\r\nContent-Length: x\r\n\r\n")
		assertError(t, r, 400, core.CodeBadRequest)
	})
	t.Run("InvalidUTF8", func(t *testing.T) {
		t.Parallel()
		r := e.raw("GET /healthz HTTP/1.1\r\nHost: core\r\nX-Request-Id: a\xffb\r\n\r\n")
		assert.Equal(t, 200, r.status)
		got := string(r.header.Peek("X-Request-Id"))
		assert.Regexp(t, requestIDPattern, got)
	})
	t.Run("NewIDsDiffer", func(t *testing.T) {
		t.Parallel()
		a := e.call("GET", "/healthz", "")
		b := e.call("GET", "/healthz", "")
		assert.NotEqual(t, string(a.header.Peek("X-Request-Id")), string(b.header.Peek("X-Request-Id")))
	})
}

// TestLogin: a good password gets a session token that works on the cart.
func TestLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(2)
	before := time.Now().Add(-time.Second)
	r := e.call("POST", "/api/v1/auth/login", `{"student_no":"2026000002","password":"classmate"}`)
	require.Equal(t, 200, r.status, "response %s", r)
	assert.Equal(t, "application/json", string(r.header.ContentType()))

	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(r.body, &raw))
	for _, k := range []string{"session_token", "expires_at", "student"} {
		assert.Contains(t, raw, k)
	}
	var student map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw["student"], &student))
	for _, k := range []string{"id", "student_no", "name", "department", "max_credits"} {
		assert.Contains(t, student, k)
	}
	for k := range student {
		assert.NotContains(t, strings.ToLower(k), "password", "the student object leaks %q", k)
	}

	var out struct {
		SessionToken string       `json:"session_token"`
		ExpiresAt    string       `json:"expires_at"`
		Student      core.Student `json:"student"`
	}
	require.NoError(t, json.Unmarshal(r.body, &out))
	assert.NotEmpty(t, out.SessionToken)
	exp, err := time.Parse(time.RFC3339, out.ExpiresAt)
	require.NoError(t, err, "expires_at %q is RFC 3339", out.ExpiresAt)
	assert.True(t, strings.HasSuffix(out.ExpiresAt, "Z"), "expires_at %q is UTC", out.ExpiresAt)
	assert.True(t, exp.After(before), "expires_at %v is in the future", exp)
	assert.Equal(t, core.Student{ID: ids[1], StudentNo: "2026000002", Name: "학생0002", Department: "컴퓨터공학과", MaxCredits: 18}, out.Student)

	sess, err := token.Verifier{Keys: e.tokens.Session}.Session(out.SessionToken)
	require.NoError(t, err)
	assert.Equal(t, ids[1], sess.StudentID)
	assert.True(t, sess.ExpiresAt.Equal(exp), "expires_at is the token's exp")

	r = e.call("GET", "/api/v1/cart", "", bearer(out.SessionToken)...)
	assert.Equal(t, 200, r.status, "response %s", r)
	assert.JSONEq(t, `{"items":[]}`, string(r.body))
	r = e.call("GET", "/api/v1/enrollments", "", bearer(out.SessionToken)...)
	assert.Equal(t, 200, r.status, "response %s", r)
	assert.JSONEq(t, `{"items":[],"total_credits":0,"max_credits":18}`, string(r.body))
	// A session token is not an admission token.
	r = e.call("POST", "/api/v1/enrollments", `{"course_id":1}`, bearer(out.SessionToken)...)
	assertError(t, r, 401, core.CodeAdmissionRequired)

	for _, tc := range []struct {
		name string
		body string
	}{
		{"WrongPassword", `{"student_no":"2026000002","password":"Classmate"}`},
		{"OtherStudentsPassword", `{"student_no":"2026000001","password":"classmate "}`},
		{"UnknownStudent", `{"student_no":"2026000003","password":"classmate"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assertError(t, e.call("POST", "/api/v1/auth/login", tc.body), 401, core.CodeUnauthenticated)
		})
	}
}

// TestCart: adding and removing are idempotent; the cart lists Course
// objects with live remaining seats.
func TestCart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(2)
	c1 := e.putCourse(course(1, 10, 3, "MON 09:00-10:15", "WED 09:00-10:15"))
	c2 := e.putCourse(course(2, 5, 2, "TUE 13:00-14:00"))
	sess := bearer(e.session(ids[0]))

	list := func() []json.RawMessage {
		t.Helper()
		r := e.call("GET", "/api/v1/cart", "", sess...)
		require.Equal(t, 200, r.status, "response %s", r)
		var out struct {
			Items []json.RawMessage `json:"items"`
		}
		require.NoError(t, json.Unmarshal(r.body, &out))
		require.NotNil(t, out.Items, "items is a list, never null: %s", r.body)
		return out.Items
	}
	assert.Empty(t, list())

	for range 2 {
		r := e.call("PUT", "/api/v1/cart/2", "", sess...)
		assert.Equal(t, 204, r.status, "response %s", r)
		assert.Empty(t, r.body)
	}
	r := e.call("PUT", "/api/v1/cart/1", "", sess...)
	assert.Equal(t, 204, r.status, "response %s", r)
	items := list()
	require.Len(t, items, 2, "each course listed once")
	assertCourseJSON(t, items[0], c2)
	assertCourseJSON(t, items[1], c1)

	// Remaining is live.
	status, body := e.enroll(ids[1], 2)
	require.Equal(t, 201, status, string(body))
	c2.Remaining--
	assertCourseJSON(t, list()[0], c2)

	// Another student's cart is their own.
	r = e.call("GET", "/api/v1/cart", "", bearer(e.session(ids[1]))...)
	assert.JSONEq(t, `{"items":[]}`, string(r.body))

	for range 2 {
		r := e.call("DELETE", "/api/v1/cart/2", "", sess...)
		assert.Equal(t, 204, r.status, "response %s", r)
	}
	r = e.call("DELETE", "/api/v1/cart/999", "", sess...)
	assert.Equal(t, 204, r.status, "removing what is not there is a no-op: %s", r)
	items = list()
	require.Len(t, items, 1)
	assertCourseJSON(t, items[0], c1)

	assertError(t, e.call("PUT", "/api/v1/cart/999", "", sess...), 404, core.CodeNotFound)
	assert.Len(t, list(), 1)
	// The cart holds no seat.
	e.checkSeats()
}

// TestCourse: GET /api/v1/courses/{id} answers every Course field with live
// remaining seats.
func TestCourse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(2)
	want := course(12, 2, 3, "MON 09:00-10:15", "WED 09:00-10:15")
	want.Code, want.Title, want.Professor, want.Department, want.Room = "CSE2010-01", "자료구조", "이교수", "컴퓨터공학과", "IT관 301"
	created := e.putCourse(want)
	want.Remaining = 2
	assert.Equal(t, want, created)

	get := func() reply {
		return e.call("GET", "/api/v1/courses/12", "")
	}
	r := get()
	require.Equal(t, 200, r.status, "response %s", r)
	assert.Equal(t, "application/json", string(r.header.ContentType()))
	assertCourseJSON(t, r.body, want)

	for i, id := range ids {
		status, body := e.enroll(id, 12)
		require.Equal(t, 201, status, string(body))
		want.Remaining = 2 - (i + 1)
		assertCourseJSON(t, get().body, want)
	}
	status, _ := e.do("DELETE", "/api/v1/enrollments/12", "", bearer(e.admission(ids[0]))...)
	require.Equal(t, 204, status)
	want.Remaining = 1
	assertCourseJSON(t, get().body, want)

	// A trailing slash names the same resource; HEAD answers like GET.
	assert.Equal(t, 200, e.call("GET", "/api/v1/courses/12/", "").status)
	assert.Equal(t, 200, e.call("HEAD", "/api/v1/courses/12", "").status)
}

// TestAdmin: course create and update answer the Course; reconcile reports
// what it checked and fixed.
func TestAdmin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(1)
	admin := bearer(adminToken)

	c := course(1, 30, 3, "MON 09:00-10:15")
	c.ID = 0 // the id is optional in the body
	r := e.call("PUT", "/admin/v1/courses/1", jsonString(c), admin...)
	require.Equal(t, 200, r.status, "response %s", r)
	c.ID, c.Remaining = 1, 30
	assertCourseJSON(t, r.body, c)

	c.Remaining = 7 // ignored
	c.Title = "자료구조 (개정)"
	r = e.call("PUT", "/admin/v1/courses/1", jsonString(c), admin...)
	require.Equal(t, 200, r.status, "response %s", r)
	c.Remaining = 30
	assertCourseJSON(t, r.body, c)
	r = e.call("GET", "/api/v1/courses/1", "")
	assertCourseJSON(t, r.body, c)

	e.putCourse(course(2, 10, 3, "TUE 09:00-10:00"))
	e.putCourse(course(3, 10, 3, "WED 09:00-10:00"))
	status, body := e.enroll(ids[0], 2)
	require.Equal(t, 201, status, string(body))

	reconcile := func() (checked, fixed int) {
		t.Helper()
		r := e.call("POST", "/admin/v1/seats/reconcile", "", admin...)
		require.Equal(t, 200, r.status, "response %s", r)
		var raw map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(r.body, &raw))
		assert.Contains(t, raw, "checked")
		assert.Contains(t, raw, "fixed")
		var out struct{ Checked, Fixed int }
		require.NoError(t, json.Unmarshal(r.body, &out))
		return out.Checked, out.Fixed
	}
	checked, fixed := reconcile()
	assert.Equal(t, 3, checked)
	assert.Zero(t, fixed)

	require.NoError(t, e.rdb.Del(t.Context(), e.prefix+"seat:{c2}:n").Err())
	checked, fixed = reconcile()
	assert.Equal(t, 3, checked)
	assert.GreaterOrEqual(t, fixed, 1)
	e.checkSeats()
	_, fixed = reconcile()
	assert.Zero(t, fixed)

	// A drifted counter is fixed too.
	require.NoError(t, e.rdb.Set(t.Context(), e.prefix+"seat:{c3}:n", 3, 0).Err())
	_, fixed = reconcile()
	assert.Equal(t, 1, fixed)
	e.checkSeats()
}

// TestHealthAndMetrics: the service endpoints answer without a token.
func TestHealthAndMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct {
		path string
		want string
	}{
		{"/healthz", `{"status":"ok"}`},
		{"/readyz", `{"status":"ready"}`},
	} {
		r := e.call("GET", tc.path, "")
		assert.Equal(t, 200, r.status, "%s: %s", tc.path, r)
		assert.JSONEq(t, tc.want, string(r.body))
	}
	r := e.call("GET", "/metrics", "")
	require.Equal(t, 200, r.status, "response %s", r)
	assert.True(t, strings.HasPrefix(string(r.header.ContentType()), "text/plain"), "content type %q", r.header.ContentType())
	assert.Contains(t, string(r.body), "classmate_http_request_duration_seconds")
	assert.Contains(t, string(r.body), `route="healthz"`)
}

// TestClosedConnectionAfterTooLarge: a 413 closes the connection, and the
// next request on a new one is served.
func TestClosedConnectionAfterTooLarge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(1)
	e.putCourse(course(1, 10, 3))
	r := e.call("POST", "/api/v1/enrollments", strings.Repeat(" ", 2<<20), bearer(e.admission(ids[0]))...)
	assertError(t, r, 413, core.CodePayloadTooLarge)
	status, body := e.enroll(ids[0], 1)
	assert.Equal(t, 201, status, string(body))
}
