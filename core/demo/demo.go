// Package demo makes the deterministic development data of classmate: a
// Korean university catalogue of courses, the students who register for
// them, and Load, which writes both into an empty database quickly.
//
// Everything is generated from fixed seeds, so the same n always gives the
// same data on every machine: student 2026000001 and course CSE2010-01
// (자료구조) are the same in every developer's database and in every test.
// The data is for development only; every student has the password
// Password.
package demo

import (
	"fmt"
	"math/rand/v2"
)

// Password is the development password of every demo student.
const Password = "classmate"

// DefaultStudents and DefaultCourses are the sizes `make run` and the seed
// command load unless told otherwise.
const (
	DefaultStudents = 20000
	DefaultCourses  = 3000
)

// MaxStudents is the largest n Students supports: student numbers are
// "2026" and six digits.
const MaxStudents = 999999

// Seeds of the generators. Changing one changes every developer's data.
const (
	courseSeed1, courseSeed2   = 2026, 1
	studentSeed1, studentSeed2 = 2026, 2
)

// Student is a demo student as stored in the students table.
type Student struct {
	ID         int64
	StudentNo  string
	Name       string
	Department string
	MaxCredits int
}

// Students returns n students with IDs 1..n and student numbers
// 2026000001, 2026000002, …, in that order. Each has a Korean name, a
// department of the catalogue (never 교양학부) and MaxCredits 18. The result
// is the same for the same n, and Students(n) is a prefix of Students(m) for
// n < m. n must be at most MaxStudents. The caller owns the returned slice.
func Students(n int) []Student {
	if n <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(studentSeed1, studentSeed2))
	var majors []string
	for _, d := range departments {
		if d.name != generalEducation {
			majors = append(majors, d.name)
		}
	}
	out := make([]Student, n)
	for i := range out {
		out[i] = Student{
			ID:         int64(i + 1),
			StudentNo:  fmt.Sprintf("2026%06d", i+1),
			Name:       personName(rng),
			Department: majors[rng.IntN(len(majors))],
			MaxCredits: 18,
		}
	}
	return out
}

// personName draws a Korean name, surname by frequency.
func personName(rng *rand.Rand) string {
	total := 0
	for _, s := range surnames {
		total += s.weight
	}
	r := rng.IntN(total)
	surname := surnames[0].name
	for _, s := range surnames {
		if r < s.weight {
			surname = s.name
			break
		}
		r -= s.weight
	}
	return surname + givenNames[rng.IntN(len(givenNames))]
}

// uniqueName draws a name not yet in used and records it. Past a few tries
// it accepts a repeat, as real universities have namesakes too.
func uniqueName(rng *rand.Rand, used map[string]bool) string {
	name := personName(rng)
	for try := 0; used[name] && try < 100; try++ {
		name = personName(rng)
	}
	used[name] = true
	return name
}
