// Command seed migrates the development database and loads the demo data
// (package classmate/core/demo) into it unless it already holds students.
// It runs only in development: CLASSMATE_ENV must be unset or
// "development".
//
// Environment:
//
//	CLASSMATE_ENV            development (default) — anything else is refused
//	CLASSMATE_MYSQL_DSN      default classmate:classmate@tcp(127.0.0.1:33061)/classmate
//	CLASSMATE_DEMO_STUDENTS  default 20000
//	CLASSMATE_DEMO_COURSES   default 3000
package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"

	"classmate/core/demo"
	"classmate/migrations"
)

const defaultDSN = "classmate:classmate@tcp(127.0.0.1:33061)/classmate"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	if env := getenv("CLASSMATE_ENV"); env != "" && env != "development" {
		return fmt.Errorf("refusing to load demo data with CLASSMATE_ENV=%q: development only", env)
	}
	dsn, masked, err := mysqlDSN(envOr(getenv, "CLASSMATE_MYSQL_DSN", defaultDSN))
	if err != nil {
		return err
	}
	students, err := count(getenv, "CLASSMATE_DEMO_STUDENTS", demo.DefaultStudents)
	if err != nil {
		return err
	}
	courses, err := count(getenv, "CLASSMATE_DEMO_COURSES", demo.DefaultCourses)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seed: mysql=%s students=%d courses=%d\n", masked, students, courses)

	start := time.Now()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return fmt.Errorf("open mysql: %w", err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("open mysql: %w", err)
	}
	if err := migrations.Up(ctx, db); err != nil {
		return err
	}
	loaded, err := demo.Load(ctx, db, students, courses)
	if err != nil {
		return err
	}
	if !loaded {
		fmt.Fprintf(stdout, "seed: students already present, nothing loaded (%v)\n", time.Since(start).Round(time.Millisecond))
		return nil
	}
	fmt.Fprintf(stdout, "seed: loaded %d students (password %q) and %d courses in %v\n",
		students, demo.Password, courses, time.Since(start).Round(time.Millisecond))
	return nil
}

// mysqlDSN adds the parameters every classmate connection uses and returns
// the DSN and a copy with the password masked for the log.
func mysqlDSN(dsn string) (string, string, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return "", "", fmt.Errorf("CLASSMATE_MYSQL_DSN: %w", err)
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	masked := *cfg
	if masked.Passwd != "" {
		masked.Passwd = "****"
	}
	return cfg.FormatDSN(), masked.FormatDSN(), nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func count(getenv func(string) string, key string, def int) (int, error) {
	v := getenv(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q: want a count ≥ 0", key, v)
	}
	return n, nil
}
