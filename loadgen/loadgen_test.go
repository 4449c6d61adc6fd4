package loadgen

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckLoopback(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:8080", true},
		{"127.1.2.3:1", true},
		{"localhost:8080", true},
		{"127.0.0.1", true},
		{"10.0.0.1:8080", false},
		{"example.com:80", false},
		{"[::1]:8080", false},
		{"0.0.0.0:8080", false},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			err := checkLoopback("target", tc.addr)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
	_, err := hostPort("-gate", "https://127.0.0.1:8443")
	assert.Error(t, err, "no TLS")
	hp, err := hostPort("-gate", "http://localhost:8080/")
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8080", hp)
}

func TestSources(t *testing.T) {
	t.Parallel()
	s, err := NewSources("127.0.0.2", 4)
	require.NoError(t, err)
	assert.Equal(t, 4, s.Len())
	assert.Equal(t, "127.0.0.5", s.Addr(3))
	assert.Equal(t, "127.0.0.2", s.Addr(4))
	_, err = NewSources("127.255.255.254", 4)
	assert.Error(t, err, "runs out of 127.0.0.0/8")
	_, err = NewSources("10.0.0.1", 1)
	assert.Error(t, err)
	assert.Equal(t, 4, SourcesFor(100000, 1), "25,000 sockets per address")
	assert.Equal(t, 32, SourcesFor(100000, 32))
}

func TestHistogram(t *testing.T) {
	t.Parallel()
	h := NewHistogram(5)
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	q := h.Quantiles(0.5, 0.99, 1)
	assert.InEpsilon(t, 500*time.Millisecond, q[0], 0.04)
	assert.InEpsilon(t, 990*time.Millisecond, q[1], 0.04)
	assert.Equal(t, time.Second, q[2])
	assert.Equal(t, int64(1000), h.Count())
	assert.Equal(t, []time.Duration{0}, NewHistogram(5).Quantiles(0.5))
}

func TestErrorCode(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "SOLD_OUT", errorCode([]byte(`{"error": {"code": "SOLD_OUT", "message": "마감"}}`)))
	assert.Equal(t, "", errorCode([]byte(`{"enrollment":{}}`)))
	assert.Equal(t, "", errorCode(nil))
}

func TestChooser(t *testing.T) {
	t.Parallel()
	ids := make([]int64, 3000)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	c := newChooser(ids, 1.1, 1)
	counts := map[int64]int{}
	for i := 0; i < 2000; i++ {
		picks := c.pick(rand.New(rand.NewPCG(1, uint64(i))), 6)
		require.Len(t, picks, 6)
		seen := map[int64]bool{}
		for _, p := range picks {
			assert.False(t, seen[p], "distinct courses")
			seen[p] = true
			counts[p]++
		}
	}
	// Skewed: the hottest course is wanted by far more students than the
	// average course.
	assert.Greater(t, counts[c.ids[0]], 20*2000*6/3000)
	assert.InDelta(t, 0.16, c.share(), 0.03)
}

func TestInitials(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "ㅈㄹㄱㅈ", initials("자료구조"))
	assert.Equal(t, "CSEㅇㅇ", initials("CSE운영"))
}

func TestMarker(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for n := int64(0); n < 5000; n++ {
		m := marker(n)
		assert.Equal(t, strings.ToLower(m), m)
		assert.NotContains(t, m, "0")
		assert.False(t, seen[m])
		seen[m] = true
	}
}

func TestParseBench(t *testing.T) {
	t.Parallel()
	got := parseBench(`goos: linux
BenchmarkCommit/hot/batch=1-2         	       3	 1 ns/op	       861.0 commits/s
BenchmarkHotCourse/project-2 	       1	3236260866 ns/op	      1817 attempts/s	      1905 p50-ms	      2705 p99-ms
PASS`)
	assert.Equal(t, 861.0, got["BenchmarkCommit/hot/batch=1 commits/s"])
	assert.Equal(t, 2705.0, got["BenchmarkHotCourse/project p99-ms"])
}

func TestReadJTL(t *testing.T) {
	t.Parallel()
	jtl := `timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect
1700000000000,12,login,200,OK,t 1-1,text,true,,633,264,3,3,http://127.0.0.1:8080/api/v1/auth/login,12,0,1
1700000000100,30,enroll,409,Conflict,t 1-1,text,true,,120,300,3,3,http://127.0.0.1:8080/api/v1/enrollments,30,0,0
1700000000200,5,enroll,500,Internal Server Error,t 1-2,text,false,"an enrollment must answer 201, 409 or 422",120,300,3,3,http://127.0.0.1:8080/api/v1/enrollments,5,0,0
`
	samples, err := ReadJTL(strings.NewReader(jtl))
	require.NoError(t, err)
	require.Len(t, samples, 3)
	assert.False(t, samples[2].Success)
	assert.Equal(t, "an enrollment must answer 201, 409 or 422", samples[2].Failure)
	sums := SummarizeJTL(samples)
	require.Len(t, sums, 3)
	total := sums[2]
	assert.Equal(t, "TOTAL", total.Label)
	assert.Equal(t, 3, total.Count)
	assert.Equal(t, 1, total.Errors)
	assert.Equal(t, 2, sums[1].Count)

	_, err = ReadJTL(strings.NewReader("<testResults>\n"))
	assert.Error(t, err, "XML results are refused")
}

func TestFigureJudge(t *testing.T) {
	t.Parallel()
	f := figure("x", "x", "/s", 20000, 1000, "base").target("≥ 15,000", ">=", 15000)
	require.NotNil(t, f.Met)
	assert.True(t, *f.Met)
	assert.Equal(t, 20.0, *f.Ratio)
	g := figure("y", "y", "ms", 80, 0, "").target("≤ 50 ms", "<=", 50)
	assert.False(t, *g.Met)
	h := figure("z", "z", "/s", 5000, 100, "b").target("≥ 10×", "ratio>=", 10)
	assert.True(t, *h.Met)
	m := mergeRuns([]*Scenario{
		{Status: "ok", Figures: []Figure{figure("r", "r", "/s", 10, 0, "").target("", ">=", 12)}},
		{Status: "ok", Figures: []Figure{figure("r", "r", "/s", 14, 0, "").target("", ">=", 12)}},
		{Status: "ok", Figures: []Figure{figure("r", "r", "/s", 13, 0, "").target("", ">=", 12)}},
	})
	assert.Equal(t, 13.0, m.Figures[0].Value)
	assert.Equal(t, []float64{10, 14, 13}, m.Figures[0].Runs)
	assert.True(t, *m.Figures[0].Met)
}
