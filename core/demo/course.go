package demo

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"classmate/core"
)

// featured are the numbers of the titles API.md names (자료구조, 운영체제,
// 경영학원론): they come first when n is too small for every title.
var featured = []string{"CSE2010", "CSE3010", "BUS1010"}

// levelWeight is the base popularity of a title by level: introductory
// courses run more sections than advanced ones.
var levelWeight = [4]int{40, 30, 20, 15}

// title is one course of the catalogue before its sections are drawn. All
// sections of a title share its number and credits.
type title struct {
	dept    *department
	level   int // 1–4
	name    string
	number  string // e.g. "CSE2010"
	credits int
	lab     bool
	weight  int // relative number of sections
}

// Courses returns a catalogue of n courses with IDs 1..n, ordered by
// department and code. The same n always gives the same courses. Every
// course passes (*core.Course).Validate, codes are unique, and when n is at
// least 3 the catalogue holds 자료구조 as CSE2010-01, 운영체제 and 경영학원론.
// When n is at least the number of titles (about 700) every title has at
// least one section and popular ones have several; each professor then
// teaches 2–6 courses of one department, and no professor or room is booked
// twice at once up to about 5,000 courses (beyond, the campus is full and
// a few clashes are accepted). The caller owns the returned slice.
func Courses(n int) []core.Course {
	if n <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(courseSeed1, courseSeed2))
	ts := titles(rng)
	counts := sections(rng, ts, n)

	courses := make([]core.Course, 0, n)
	owner := make([]*title, 0, n)
	for i := range ts {
		t := &ts[i]
		for s := 1; s <= counts[i]; s++ {
			courses = append(courses, core.Course{
				ID:         int64(len(courses) + 1),
				Code:       fmt.Sprintf("%s-%02d", t.number, s),
				Title:      t.name,
				Department: t.dept.name,
				Credits:    t.credits,
			})
			owner = append(owner, t)
		}
	}
	assignProfessors(rng, courses)

	b := newBooking()
	for i := range courses {
		c, t := &courses[i], owner[i]
		c.Capacity = capacity(rng, t)
		c.Schedule, c.Room = b.book(rng, t, c.Professor, c.Capacity >= 100)
	}
	return courses
}

// titles lists every title of the catalogue with its credits and weight.
func titles(rng *rand.Rand) []title {
	var ts []title
	for d := range departments {
		dep := &departments[d]
		deptPercent := 70 + rng.IntN(71)
		for lvl, names := range dep.titles {
			for j, name := range names {
				t := title{
					dept:   dep,
					level:  lvl + 1,
					name:   name,
					number: fmt.Sprintf("%s%d%03d", dep.prefix, lvl+1, (j+1)*10),
					lab:    isLab(name),
				}
				t.credits = titleCredits(rng, t)
				w := levelWeight[lvl] * deptPercent * (50 + rng.IntN(101)) / 10000
				switch {
				case smallClasses[name]:
					w *= 6
				case dep.name == generalEducation:
					w *= 2
				case t.lab:
					w = w * 2 / 3
				}
				t.weight = max(w, 1)
				ts = append(ts, t)
			}
		}
	}
	return ts
}

// isLab reports whether a title is a lab, practicum or performance class.
func isLab(name string) bool {
	return strings.Contains(name, "실습") || strings.Contains(name, "실험") || strings.Contains(name, "실기")
}

func titleCredits(rng *rand.Rand, t title) int {
	switch {
	case sports[t.name]:
		return 1
	case t.lab:
		if rng.IntN(10) < 7 {
			return 1
		}
		return 2
	case smallClasses[t.name]:
		return 2
	case t.dept.name == generalEducation:
		if rng.IntN(10) < 3 {
			return 2
		}
		return 3
	}
	switch r := rng.IntN(100); {
	case r < 7:
		return 2
	case r < 15:
		return 4
	default:
		return 3
	}
}

// sections returns how many sections each title gets so that they add up to
// n: one each and the rest by weight (largest remainder, integers only so
// the result is the same on every platform), or, when n is smaller than the
// number of titles, one section of the featured titles and of randomly
// chosen others.
func sections(rng *rand.Rand, ts []title, n int) []int {
	counts := make([]int, len(ts))
	if n < len(ts) {
		chosen := 0
		for _, num := range featured {
			i := slices.IndexFunc(ts, func(t title) bool { return t.number == num })
			if chosen < n && counts[i] == 0 {
				counts[i] = 1
				chosen++
			}
		}
		for _, i := range rng.Perm(len(ts)) {
			if chosen < n && counts[i] == 0 {
				counts[i] = 1
				chosen++
			}
		}
		return counts
	}
	var total int64
	for _, t := range ts {
		total += int64(t.weight)
	}
	rest := int64(n - len(ts))
	given := int64(0)
	rems := make([]int64, len(ts))
	for i, t := range ts {
		extra := rest * int64(t.weight)
		counts[i] = 1 + int(extra/total)
		rems[i] = extra % total
		given += extra / total
	}
	order := make([]int, len(ts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rems[b], rems[a]) })
	for _, i := range order[:rest-given] {
		counts[i]++
	}
	return counts
}

// assignProfessors gives each department's courses, in random order, to
// professors of that department, 2–6 courses each.
func assignProfessors(rng *rand.Rand, courses []core.Course) {
	used := map[string]bool{}
	for start := 0; start < len(courses); {
		end := start
		for end < len(courses) && courses[end].Department == courses[start].Department {
			end++
		}
		idx := rng.Perm(end - start)
		for _, k := range teachingLoads(rng, end-start) {
			name := uniqueName(rng, used)
			for _, i := range idx[:k] {
				courses[start+i].Professor = name
			}
			idx = idx[k:]
		}
		start = end
	}
}

// teachingLoads splits m courses into loads of 2–6 (a single course only
// when m is 1).
func teachingLoads(rng *rand.Rand, m int) []int {
	var loads []int
	for left := m; left > 0; {
		k := min(2+rng.IntN(5), left)
		loads = append(loads, k)
		left -= k
	}
	if n := len(loads); n >= 2 && loads[n-1] == 1 {
		if loads[n-2] < 6 {
			loads[n-2]++
			loads = loads[:n-1]
		} else {
			loads[n-2]--
			loads[n-1]++
		}
	}
	return loads
}

// capacity draws the seats of one section, in steps of five.
func capacity(rng *rand.Rand, t *title) int {
	switch {
	case t.lab, sports[t.name], smallClasses[t.name]:
		return 20 + 5*rng.IntN(3) // 20–30
	case largeLectures[t.name]:
		if rng.IntN(10) < 4 {
			return 100 + 10*rng.IntN(11) // 100–200
		}
		return 40 + 5*rng.IntN(5)
	case t.dept.name == generalEducation:
		return 40 + 5*rng.IntN(5) // 40–60
	}
	switch t.level {
	case 1:
		return 40 + 5*rng.IntN(5) // 40–60
	case 2:
		return 30 + 5*rng.IntN(7) // 30–60
	case 3:
		return 25 + 5*rng.IntN(6) // 25–50
	default:
		if rng.IntN(10) == 0 {
			return 15
		}
		return 20 + 5*rng.IntN(5) // 20–40
	}
}
