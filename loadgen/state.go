package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Courses the scenarios create live at fixed ids far above the catalogue's,
// with codes starting "LG-", so that runs reuse them instead of piling up.
const (
	hotCourseID   = 9_000_001 // S2 through the gate; +1 direct to the core
	cdcCourseBase = 9_100_000 // S5's courses are cdcCourseBase+1…
)

// reset gives a scenario a clean slate: no enrollments, every course's
// count at zero, and the core's seat counters rebuilt from MySQL by the
// reconciler. It works on the database the core uses: the load generator
// only ever targets a local development stack.
func (e *Env) reset(ctx context.Context) error {
	tx, err := e.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM enrollments"); err != nil {
		return fmt.Errorf("reset enrollments: %w", err)
	}
	if _, err := tx.ExecContext(ctx,
		"UPDATE courses SET enrolled = 0, version = version + 1, updated_at = UTC_TIMESTAMP(6) WHERE enrolled <> 0"); err != nil {
		return fmt.Errorf("reset seat counts: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	return e.reconcile()
}

// reconcile asks the core to make every seat counter equal MySQL.
func (e *Env) reconcile() error {
	r := e.Core.Call(nil, 0, "POST", "/admin/v1/seats/reconcile", e.Cfg.AdminToken, nil)
	var got struct {
		Checked int `json:"checked"`
		Fixed   int `json:"fixed"`
	}
	if err := decode(r, 200, &got); err != nil {
		return fmt.Errorf("reconcile seat counters: %w", err)
	}
	return nil
}

// putCourse creates or updates a course through the core's admin API.
func (e *Env) putCourse(ep *Endpoint, c Course) (Resp, error) {
	body, _ := json.Marshal(c)
	r := e.Core.Call(ep, int(c.ID), "PUT", fmt.Sprintf("/admin/v1/courses/%d", c.ID), e.Cfg.AdminToken, body)
	return r, decode(r, 200, nil)
}

// configureRoom applies a patch to the gate's room.
func (e *Env) configureRoom(p RoomPatch) error {
	body, _ := json.Marshal(p)
	r := e.Gate.Call(nil, 0, "PUT", "/admin/v1/room", e.Cfg.AdminToken, body)
	if err := decode(r, 200, nil); err != nil {
		return fmt.Errorf("configure the room: %w", err)
	}
	return nil
}

// room reads the gate's room figures.
func (e *Env) room() (RoomStatus, error) {
	var st RoomStatus
	r := e.Gate.Call(nil, 0, "GET", "/admin/v1/room", e.Cfg.AdminToken, nil)
	return st, decode(r, 200, &st)
}

// quietRoom waits until no student is waiting or admitted (those of an
// earlier scenario left), up to limit, and reports what remains.
func (e *Env) quietRoom(ctx context.Context, limit time.Duration) (RoomStatus, error) {
	deadline := time.Now().Add(limit)
	for {
		st, err := e.room()
		if err != nil || (st.Waiting == 0 && st.Active == 0) || time.Now().After(deadline) || ctx.Err() != nil {
			return st, err
		}
		time.Sleep(200 * time.Millisecond)
	}
}
