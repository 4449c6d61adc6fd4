package demo

import (
	"fmt"
	"math/rand/v2"

	"classmate/core"
)

// maxTries bounds the search for a time and room that are free for both
// the professor and the room; past it a clash is accepted (only when the
// catalogue is far larger than the campus).
const maxTries = 40

// The usual Korean timetable: 75-minute periods from 09:00, 15 minutes
// apart. Noon and the last period are drawn less often.
var (
	periods = []int{9 * 60, 10*60 + 30, 12 * 60, 13*60 + 30, 15 * 60, 16*60 + 30}
	// periodDraw indexes periods with their relative frequency.
	periodDraw = []int{0, 0, 0, 1, 1, 1, 1, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5}
	// blockStarts are the starts of 3-hour blocks (e.g. 14:00-16:50); 18:00
	// is the evening class.
	blockStarts = []int{9 * 60, 10 * 60, 13 * 60, 14 * 60, 15 * 60, 18 * 60}
	weekdays    = []string{"MON", "TUE", "WED", "THU", "FRI"}
)

// booking remembers which slots each professor and room already holds.
type booking struct {
	professors map[string][]core.Slot
	rooms      map[string][]core.Slot
}

func newBooking() *booking {
	return &booking{professors: map[string][]core.Slot{}, rooms: map[string][]core.Slot{}}
}

// book draws a schedule and a room for one section of t taught by
// professor, free for both if it can find one, and records them.
func (b *booking) book(rng *rand.Rand, t *title, professor string, large bool) ([]core.Slot, string) {
	var slots []core.Slot
	var room string
	for try := 0; try < maxTries; try++ {
		slots = pattern(rng, t)
		room = pickRoom(rng, t, large)
		if !core.Conflicts(slots, b.professors[professor]) && !core.Conflicts(slots, b.rooms[room]) {
			break
		}
	}
	b.professors[professor] = append(b.professors[professor], slots...)
	b.rooms[room] = append(b.rooms[room], slots...)
	return slots, room
}

// pickRoom draws a room of the title's building: basement rooms for labs,
// the lecture halls for large lectures, floors 1–5 otherwise.
func pickRoom(rng *rand.Rand, t *title, large bool) string {
	building := t.dept.building
	switch {
	case large:
		return largeHalls[rng.IntN(len(largeHalls))]
	case sports[t.name]:
		return fmt.Sprintf("체육관 %d%02d", 1+rng.IntN(2), 1+rng.IntN(6))
	case t.lab:
		return fmt.Sprintf("%s B1%02d", building, 1+rng.IntN(12))
	}
	return fmt.Sprintf("%s %d%02d", building, 1+rng.IntN(5), 1+rng.IntN(20))
}

// pattern draws the weekly slots of one section from the patterns usual for
// its credits.
func pattern(rng *rand.Rand, t *title) []core.Slot {
	switch {
	case t.lab:
		// Labs: one long block, a 2-credit lab longer; now and then on
		// Saturday morning.
		day := weekdays[rng.IntN(len(weekdays))]
		if rng.IntN(30) == 0 {
			day = "SAT"
		}
		if t.credits >= 2 {
			return []core.Slot{slot(day, []int{9 * 60, 13 * 60}[rng.IntN(2)], 230)} // 13:00-16:50
		}
		return []core.Slot{slot(day, blockStarts[rng.IntN(5)], 110)} // 14:00-15:50
	case t.credits == 1:
		return []core.Slot{slot(weekdays[rng.IntN(5)], (9+rng.IntN(9))*60, 110)}
	case t.credits == 2:
		if rng.IntN(10) < 6 {
			return []core.Slot{slot(weekdays[rng.IntN(5)], (9+rng.IntN(8))*60, 110)}
		}
		d1, d2 := dayPair(rng, false)
		start := (9 + rng.IntN(9)) * 60
		return []core.Slot{slot(d1, start, 50), slot(d2, start, 50)}
	case t.credits >= 4:
		if rng.IntN(2) == 0 {
			// Four 50-minute hours, Monday to Thursday.
			start := (9 + rng.IntN(8)) * 60
			s := make([]core.Slot, 0, 4)
			for _, d := range weekdays[:4] {
				s = append(s, slot(d, start, 50))
			}
			return s
		}
		// Two periods and a Friday recitation.
		d1, d2 := dayPair(rng, true)
		p := periods[periodDraw[rng.IntN(len(periodDraw))]]
		return []core.Slot{slot(d1, p, 75), slot(d2, p, 75), slot("FRI", (9+rng.IntN(8))*60, 50)}
	}
	switch r := rng.IntN(100); {
	case r < 74:
		d1, d2 := dayPair(rng, false)
		p := periods[periodDraw[rng.IntN(len(periodDraw))]]
		return []core.Slot{slot(d1, p, 75), slot(d2, p, 75)}
	case r < 97:
		return []core.Slot{slot(weekdays[rng.IntN(5)], blockStarts[rng.IntN(len(blockStarts))], 170)}
	default:
		return []core.Slot{slot("SAT", []int{9 * 60, 13 * 60}[rng.IntN(2)], 170)}
	}
}

// dayPair draws the days of a twice-weekly course: MON/WED or TUE/THU, and
// now and then WED/FRI unless Friday is taken.
func dayPair(rng *rand.Rand, noFriday bool) (string, string) {
	r := rng.IntN(20)
	switch {
	case r < 2 && !noFriday:
		return "WED", "FRI"
	case r < 11:
		return "MON", "WED"
	default:
		return "TUE", "THU"
	}
}

func slot(day string, start, minutes int) core.Slot {
	return core.Slot{Day: day, Start: hhmm(start), End: hhmm(start + minutes)}
}

func hhmm(m int) string {
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}
