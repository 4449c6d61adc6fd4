// Package migrations holds the schema as numbered SQL files and applies them.
//
// Files are named NNNN_name.up.sql and NNNN_name.down.sql. Up applies every
// up file not yet recorded in schema_migrations, in order, under a named lock
// so that several instances starting at once apply each file exactly once.
// The binaries and the tests run the same files.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS

// Up applies the pending up migrations to db. It is safe to call from several
// processes at once.
func Up(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()

	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK('classmate_migrate', 60)").Scan(&got); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		return fmt.Errorf("migrate: lock not acquired")
	}
	defer conn.ExecContext(context.Background(), "DO RELEASE_LOCK('classmate_migrate')")

	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INT NOT NULL PRIMARY KEY,
		applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
	) ENGINE=InnoDB`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	applied := map[int]bool{}
	rows, err := conn.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("migrate: %w", err)
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}

	files, err := upFiles()
	if err != nil {
		return err
	}
	for _, f := range files {
		if applied[f.version] {
			continue
		}
		body, err := FS.ReadFile(f.name)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		// MySQL commits DDL implicitly, so a file is not atomic: keep each
		// file to statements that are safe to re-run after a partial failure
		// or to a single DDL statement.
		for _, stmt := range Statements(string(body)) {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migrate %s: %w", f.name, err)
			}
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO schema_migrations (version) VALUES (?)", f.version); err != nil {
			return fmt.Errorf("migrate %s: %w", f.name, err)
		}
	}
	return nil
}

type file struct {
	version int
	name    string
}

func upFiles() ([]file, error) {
	names, err := fs.Glob(FS, "*.up.sql")
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var files []file
	for _, n := range names {
		num, _, ok := strings.Cut(n, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migrate: bad file name %q", n)
		}
		files = append(files, file{v, n})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].version < files[j].version })
	return files, nil
}

// Statements splits a migration file into statements: a statement ends with a
// line whose last character is a semicolon. Lines starting with "--" are
// comments.
func Statements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}
