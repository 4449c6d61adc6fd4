package core

import (
	"context"
	"log/slog"
	"time"

	"github.com/VictoriaMetrics/metrics"
)

var (
	reconcileChecked = metrics.NewCounter(`classmate_reconcile_checked_total`)
	reconcileFixed   = metrics.NewCounter(`classmate_reconcile_fixed_total`)
)

// Reconcile makes every seat counter equal MySQL, the source of truth, course
// by course under the course row locks, and returns how many counters it
// checked and how many it had to correct.
func (r *Registrar) Reconcile(ctx context.Context) (checked, fixed int, err error) {
	const batch = 200
	after := int64(0)
	for {
		last, err := r.States.LockSeatStates(ctx, after, batch, func(states []SeatState) error {
			for _, s := range states {
				changed, err := r.Seats.Set(ctx, s)
				if err != nil {
					return err
				}
				checked++
				if changed {
					fixed++
				}
			}
			return nil
		})
		if err != nil {
			return checked, fixed, err
		}
		if last == 0 {
			break
		}
		after = last
	}
	reconcileChecked.Add(checked)
	reconcileFixed.Add(fixed)
	return checked, fixed, nil
}

// ReconcileCourse makes one course's counter equal MySQL; ErrNotFound when
// the course does not exist.
func (r *Registrar) ReconcileCourse(ctx context.Context, courseID int64) (bool, error) {
	var changed bool
	err := r.States.LockSeatState(ctx, courseID, func(s SeatState) error {
		var err error
		changed, err = r.Seats.Set(ctx, s)
		return err
	})
	return changed, err
}

// RunReconciler reconciles every interval until ctx ends.
func (r *Registrar) RunReconciler(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			checked, fixed, err := r.Reconcile(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				r.log().Error("reconcile", "err", err)
			case fixed > 0:
				r.log().Warn("reconcile fixed seat counters", slog.Int("checked", checked), slog.Int("fixed", fixed))
			}
		}
	}
}
