package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"classmate/core"
	"classmate/core/demo"
	"classmate/internal/dbtest"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	db := dbtest.MustOpenDB(t)
	ctx := context.Background()

	start := time.Now()
	loaded, err := demo.Load(ctx, db.DB, demo.DefaultStudents, demo.DefaultCourses)
	require.NoError(t, err)
	assert.True(t, loaded)
	t.Logf("loaded %d students and %d courses in %v", demo.DefaultStudents, demo.DefaultCourses, time.Since(start))

	var students, courses int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM students").Scan(&students))
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM courses").Scan(&courses))
	assert.Equal(t, demo.DefaultStudents, students)
	assert.Equal(t, demo.DefaultCourses, courses)

	var hash, name string
	require.NoError(t, db.QueryRowContext(ctx,
		"SELECT password_hash, name FROM students WHERE student_no = '2026000001'").Scan(&hash, &name))
	assert.NoError(t, bcrypt.CompareHashAndPassword([]byte(hash), []byte(demo.Password)))
	assert.Equal(t, demo.Students(1)[0].Name, name)

	var title, schedule string
	require.NoError(t, db.QueryRowContext(ctx,
		"SELECT title, schedule FROM courses WHERE code = 'CSE2010-01'").Scan(&title, &schedule))
	assert.Equal(t, "자료구조", title)
	slots, err := core.DecodeSchedule(schedule)
	require.NoError(t, err)
	assert.Equal(t, demo.Courses(demo.DefaultCourses)[indexOf(demo.Courses(demo.DefaultCourses), "CSE2010-01")].Schedule, slots)

	loaded, err = demo.Load(ctx, db.DB, demo.DefaultStudents, demo.DefaultCourses)
	require.NoError(t, err)
	assert.False(t, loaded, "second load")
}

func TestLoadConcurrent(t *testing.T) {
	t.Parallel()
	db := dbtest.MustOpenDB(t)
	ctx := context.Background()

	const loaders = 4
	results := make(chan bool, loaders)
	errs := make(chan error, loaders)
	for range loaders {
		go func() {
			loaded, err := demo.Load(ctx, db.DB, 2000, 500)
			results <- loaded
			errs <- err
		}()
	}
	var got int
	for range loaders {
		require.NoError(t, <-errs)
		if <-results {
			got++
		}
	}
	assert.Equal(t, 1, got, "exactly one loader loads")
	var students int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM students").Scan(&students))
	assert.Equal(t, 2000, students)
}
