package http_test

import (
	"encoding/json"
	"mime"
	"net/url"
	"path"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"

	corehttp "classmate/core/http"
)

// contractStatus is the status of every client error code of the contract.
var contractStatus = map[string]int{
	"BAD_REQUEST":            400,
	"UNAUTHENTICATED":        401,
	"ADMISSION_REQUIRED":     401,
	"FORBIDDEN":              403,
	"NOT_FOUND":              404,
	"NOT_ENROLLED":           404,
	"METHOD_NOT_ALLOWED":     405,
	"CONFLICT":               409,
	"SOLD_OUT":               409,
	"ALREADY_ENROLLED":       409,
	"PAYLOAD_TOO_LARGE":      413,
	"UNSUPPORTED_MEDIA_TYPE": 415,
	"CREDIT_LIMIT_EXCEEDED":  422,
	"TIME_CONFLICT":          422,
	"NOT_OPEN":               425,
	"RATE_LIMITED":           429,
}

// malformedBodies seed every body fuzz target.
var malformedBodies = []string{
	``, ` `, `{}`, `null`, `[]`, `"x"`, `5`, `true`,
	`{"course_id":5}`, `{"course_id":"12"}`, `{"course_id":-1}`, `{"course_id":0}`,
	`{"course_id":1.5}`, `{"course_id":1e30}`, `{"course_id":null}`, `{"course_id":18446744073709551616}`,
	`{"course_id":5`, `{"course_id":5,}`, `{"course_id":5} x`, `{"course_id":5}{"course_id":5}`,
	"{\"course_id\":5,\"x\":\"\xff\"}", "{\"course_id\":5}\x00", "\u00a0{\"course_id\":5}",
	`{"student_no":"2026000001","password":"classmate"}`, `{"student_no":"2026000001"}`,
	`{"student_no":2026000001,"password":"classmate"}`, `{"student_no":"20260000011","password":"x"}`,
	`{"student_no":"2026000001","password":""}`, `{"student_no":"2026000001","password":null}`,
	`{"id":1,"code":"CSE2010-01","title":"자료구조","professor":"김교수","department":"컴퓨터공학과","credits":3,"capacity":40,"schedule":[{"day":"MON","start":"09:00","end":"10:15"}],"room":"공학관 101"}`,
	`{"id":2,"code":"CSE2010-01","title":"t","professor":"p","department":"d","credits":3,"capacity":40,"schedule":[{"day":"MON","start":"09:00","end":"10:15"}],"room":"r"}`,
	`{"code":"X","title":"t","professor":"p","department":"d","credits":0,"capacity":10001,"schedule":[],"room":"r"}`,
	`{"code":"X","title":"t","professor":"p","department":"d","credits":3,"capacity":1,"schedule":[{"day":"SUN","start":"9:00","end":"24:30"}],"room":"r"}`,
	`{"code":"X","title":"t","professor":"p","department":"d","credits":3,"capacity":1,"schedule":"MON","room":"r"}`,
	`{"schedule":[{},{},{},{},{}]}`,
	`{"course_id":5,"course_id":"x"}`, `{"COURSE_ID":5}`, `{"a":{"b":{"c":[[[[[[[[[[]]]]]]]]]]}}}`,
}

var seedContentTypes = []string{
	"application/json", "application/json; charset=utf-8", "APPLICATION/JSON", " application/json ",
	"text/plain", "", "application/jsonp", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
	"application/json;", ";application/json",
}

// fuzzTarget is one route of the in-process server under fuzzing.
type fuzzTarget struct {
	e            *env
	method, path string
	headers      []string
}

// fuzzBody fuzzes the body and content type of one route. The env is made
// once per fuzz function; every iteration is one in-memory request.
func fuzzBody(f *testing.F, target func(e *env) fuzzTarget) {
	for _, b := range malformedBodies {
		for _, ct := range []string{"application/json", "text/plain"} {
			f.Add(ct, []byte(b))
		}
	}
	for _, ct := range seedContentTypes {
		f.Add(ct, []byte(`{"course_id":5}`))
	}
	f.Add("application/json", []byte(`{"course_id":5}`+strings.Repeat(" ", corehttp.MaxBody)))
	ft := target(newEnv(f))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		ft.check(t, contentType, body)
	})
}

// validHeaderValue reports whether s can travel as a header value.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

func (ft fuzzTarget) check(t *testing.T, contentType string, body []byte) {
	if !validHeaderValue(contentType) {
		t.Skip("not a header value")
	}
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI("http://core" + ft.path)
	req.Header.SetMethod(ft.method)
	for i := 0; i+1 < len(ft.headers); i += 2 {
		req.Header.Set(ft.headers[i], ft.headers[i+1])
	}
	req.Header.SetContentType(contentType)
	req.SetBody(body)
	require.NoError(t, ft.e.client.DoTimeout(req, resp, 30*time.Second))
	sentType := string(req.Header.ContentType())

	status := resp.StatusCode()
	require.Less(t, status, 500, "status %d: %s", status, resp.Body())
	require.NotEmpty(t, resp.Header.Peek("X-Request-Id"))
	mt, _, err := mime.ParseMediaType(string(resp.Header.ContentType()))
	require.NoError(t, err)
	require.Equal(t, "application/json", mt)
	require.True(t, json.Valid(resp.Body()), "response is JSON: %q", resp.Body())

	// The checks the contract puts before any handler. Headers beyond
	// fasthttp's 4 KiB read buffer are a malformed request (400) before
	// anything else.
	isJSON := strings.EqualFold(strings.TrimSpace(strings.SplitN(sentType, ";", 2)[0]), "application/json")
	switch {
	case len(sentType) > 2048:
	case len(body) > corehttp.MaxBody:
		assert.Equal(t, 413, status, "body of %d bytes", len(body))
	case !isJSON:
		assert.Equal(t, 415, status, "content type %q", sentType)
	case !utf8.Valid(body) || !json.Valid(body):
		assert.Equal(t, 400, status, "body %q is not JSON: %s", body, resp.Body())
	}
	if status < 400 {
		return
	}
	var e struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(resp.Body(), &e))
	require.NotNil(t, e.Error, "error shape: %s", resp.Body())
	want, ok := contractStatus[e.Error.Code]
	require.True(t, ok, "code %q is not in the contract", e.Error.Code)
	assert.Equal(t, want, status, "status of %s", e.Error.Code)
	assert.NotEmpty(t, e.Error.Message)
}

// FuzzDecodeEnrollment fuzzes POST /api/v1/enrollments with an admission
// token.
func FuzzDecodeEnrollment(f *testing.F) {
	fuzzBody(f, func(e *env) fuzzTarget {
		ids := e.addStudents(1)
		e.putCourse(course(5, 100, 1, "MON 09:00-10:00"))
		return fuzzTarget{e: e, method: "POST", path: "/api/v1/enrollments", headers: bearer(e.admission(ids[0]))}
	})
}

// FuzzDecodeLogin fuzzes POST /api/v1/auth/login.
func FuzzDecodeLogin(f *testing.F) {
	fuzzBody(f, func(e *env) fuzzTarget {
		e.addStudents(1)
		return fuzzTarget{e: e, method: "POST", path: "/api/v1/auth/login"}
	})
}

// FuzzDecodeCourse fuzzes PUT /admin/v1/courses/1 with the admin token.
func FuzzDecodeCourse(f *testing.F) {
	fuzzBody(f, func(e *env) fuzzTarget {
		e.putCourse(course(2, 10, 3, "TUE 09:00-10:00"))
		return fuzzTarget{e: e, method: "PUT", path: "/admin/v1/courses/1", headers: bearer(adminToken)}
	})
}

// FuzzCourseID fuzzes the id segment of GET /api/v1/courses/{id}.
func FuzzCourseID(f *testing.F) {
	for _, s := range []string{"1", "2", "0", "-1", "01", "+1", "1.5", "abc", "99999999999999999999",
		"9223372036854775807", "9223372036854775808", "1 ", " 1", "1e3", "0x1", "١", "%", ""} {
		f.Add(s)
	}
	e := newEnv(f)
	e.putCourse(course(1, 10, 3))
	f.Fuzz(func(t *testing.T, seg string) {
		req := fasthttp.AcquireRequest()
		resp := fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		req.SetRequestURI("http://core/api/v1/courses/" + url.PathEscape(seg))
		require.NoError(t, e.client.DoTimeout(req, resp, 30*time.Second))
		status := resp.StatusCode()
		require.Less(t, status, 500, "status %d: %s", status, resp.Body())
		switch status {
		case 200:
			assert.Equal(t, "/1", path.Clean("/"+seg), "only course 1 exists")
		case 404:
			// An empty or dropped segment is another (unknown) route.
		default:
			assert.Equal(t, 400, status, "id %q: %s", seg, resp.Body())
		}
		if status >= 400 {
			var e struct {
				Error struct{ Code string } `json:"error"`
			}
			require.NoError(t, json.Unmarshal(resp.Body(), &e))
			assert.Equal(t, status, contractStatus[e.Error.Code], "%s", resp.Body())
		}
	})
}
