package demo_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/core"
	"classmate/core/demo"
)

func TestCoursesDeterministic(t *testing.T) {
	t.Parallel()
	assert.Equal(t, demo.Courses(demo.DefaultCourses), demo.Courses(demo.DefaultCourses))
	assert.Equal(t, demo.Students(1000), demo.Students(1000))
}

func TestCourses(t *testing.T) {
	t.Parallel()
	courses := demo.Courses(demo.DefaultCourses)
	require.Len(t, courses, demo.DefaultCourses)

	codes := map[string]bool{}
	titles := map[string]bool{}
	departments := map[string]bool{}
	professors := map[string]map[string]int{} // professor → department → courses
	var midSize, large, largeGeneral, multiSlot, saturday int
	credits := map[int]int{}
	for i, c := range courses {
		require.NoError(t, c.Validate(), "course %d %s", i, c.Code)
		assert.Equal(t, int64(i+1), c.ID)
		assert.False(t, codes[c.Code], "duplicate code %s", c.Code)
		codes[c.Code] = true
		titles[c.Title] = true
		departments[c.Department] = true
		if professors[c.Professor] == nil {
			professors[c.Professor] = map[string]int{}
		}
		professors[c.Professor][c.Department]++
		credits[c.Credits]++
		if c.Capacity >= 20 && c.Capacity <= 60 {
			midSize++
		}
		if c.Capacity >= 100 {
			large++
			if c.Department == "교양학부" {
				largeGeneral++
			}
		}
		if len(c.Schedule) >= 2 {
			multiSlot++
		}
		for _, s := range c.Schedule {
			if s.Day == "SAT" {
				saturday++
			}
		}
	}
	for _, want := range []string{"자료구조", "운영체제", "경영학원론"} {
		assert.True(t, titles[want], "title %s missing", want)
	}
	i := indexOf(courses, "CSE2010-01")
	require.GreaterOrEqual(t, i, 0, "CSE2010-01 missing")
	assert.Equal(t, "자료구조", courses[i].Title)
	assert.Equal(t, "컴퓨터공학과", courses[i].Department)

	assert.GreaterOrEqual(t, len(departments), 30)
	assert.Greater(t, midSize, len(courses)*8/10, "most capacities 20–60")
	assert.GreaterOrEqual(t, largeGeneral, 5, "large general-education lectures")
	assert.Equal(t, large, largeGeneral, "only general education has ≥ 100 seats")
	assert.GreaterOrEqual(t, multiSlot, 3)
	assert.Greater(t, saturday, 0)
	assert.Greater(t, credits[3], len(courses)/2, "mostly 3 credits")
	for _, n := range []int{1, 2, 4} {
		assert.Greater(t, credits[n], 0, "%d-credit courses", n)
	}
	for p, byDept := range professors {
		require.Len(t, byDept, 1, "professor %s teaches in one department", p)
		for _, n := range byDept {
			assert.True(t, n >= 2 && n <= 6, "professor %s teaches %d courses", p, n)
		}
	}
	t.Logf("%d departments, %d titles, %d professors, credits %v, %d ≥ 2 slots, %d Saturday slots, %d large",
		len(departments), len(titles), len(professors), credits, multiSlot, saturday, large)
}

func TestCoursesNoDoubleBooking(t *testing.T) {
	t.Parallel()
	courses := demo.Courses(demo.DefaultCourses)
	byProfessor := map[string][]core.Slot{}
	byRoom := map[string][]core.Slot{}
	for _, c := range courses {
		assert.False(t, core.Conflicts(c.Schedule, byProfessor[c.Professor]), "professor %s at %s", c.Professor, c.Code)
		assert.False(t, core.Conflicts(c.Schedule, byRoom[c.Room]), "room %s at %s", c.Room, c.Code)
		byProfessor[c.Professor] = append(byProfessor[c.Professor], c.Schedule...)
		byRoom[c.Room] = append(byRoom[c.Room], c.Schedule...)
	}
}

func TestCoursesSmall(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 3, 10, 100, 10000} {
		courses := demo.Courses(n)
		require.Len(t, courses, n)
		codes := map[string]bool{}
		for _, c := range courses {
			require.NoError(t, c.Validate(), c.Code)
			require.False(t, codes[c.Code], c.Code)
			codes[c.Code] = true
		}
		if n >= 1 {
			assert.Equal(t, "자료구조", courses[indexOf(courses, "CSE2010-01")].Title, "n=%d", n)
		}
	}
}

func TestStudents(t *testing.T) {
	t.Parallel()
	students := demo.Students(demo.DefaultStudents)
	require.Len(t, students, demo.DefaultStudents)
	departments := map[string]bool{}
	for _, c := range demo.Courses(demo.DefaultCourses) {
		departments[c.Department] = true
	}
	number := regexp.MustCompile(`^2026[0-9]{6}$`)
	for i, s := range students {
		assert.Equal(t, int64(i+1), s.ID)
		assert.Regexp(t, number, s.StudentNo)
		assert.Equal(t, 18, s.MaxCredits)
		assert.True(t, departments[s.Department] && s.Department != "교양학부", s.Department)
		assert.True(t, len([]rune(s.Name)) == 3, s.Name)
	}
	assert.Equal(t, "2026000001", students[0].StudentNo)
	assert.Equal(t, "2026020000", students[len(students)-1].StudentNo)
	assert.Equal(t, demo.Students(10), students[:10], "prefix-stable")
}

func indexOf(courses []core.Course, code string) int {
	for i, c := range courses {
		if strings.EqualFold(c.Code, code) {
			return i
		}
	}
	return -1
}
