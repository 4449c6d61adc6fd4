package redis

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"classmate/gate"
)

// roomFields is the length of the array lua/header.lua room() returns.
const roomFields = 17

// parseRoom reads the array of room().
func parseRoom(v any) (gate.RoomState, error) {
	a, ok := v.([]any)
	if !ok || len(a) != roomFields {
		return gate.RoomState{}, fmt.Errorf("room: unexpected reply %T", v)
	}
	str := func(i int) string {
		s, _ := a[i].(string)
		return s
	}
	num := func(i int) int64 {
		switch x := a[i].(type) {
		case int64:
			return x
		case string:
			n, _ := strconv.ParseInt(x, 10, 64)
			return n
		}
		return 0
	}
	var st gate.RoomState
	if ms := str(0); ms != "" {
		st.Configured = true
		st.Room.OpensAt = time.UnixMilli(num(0)).UTC()
	}
	st.Room.PrequeueSeconds = int(num(1))
	st.Room.MaxActive = int(num(2))
	st.Room.AdmitPerSecond, _ = strconv.ParseFloat(str(3), 64)
	st.Room.Mode = gate.Mode(str(4))
	st.Room.Paused = str(5) == "1"
	st.Room.SessionSeconds = int(num(6))
	if s := str(7); s != "" {
		seed, err := hex.DecodeString(s)
		if err != nil {
			return st, fmt.Errorf("room: seed: %w", err)
		}
		st.Seed = seed
	}
	st.AdmittedTotal = num(9)
	st.Departed = num(10)
	st.Opened = str(11) != ""
	st.OpenMode = gate.Mode(str(12))
	st.Drawn = str(13) == "1"
	if e := str(14); e != "" {
		st.EffectiveRate, _ = strconv.ParseFloat(e, 64)
	} else {
		st.EffectiveRate = st.Room.AdmitPerSecond
	}
	st.Waiting = num(15)
	st.Active = num(16)
	return st, nil
}

// parseView reads the array of view().
func parseView(student int64, v any) (gate.TicketView, error) {
	a, ok := v.([]any)
	if !ok || len(a) != 5 {
		return gate.TicketView{}, fmt.Errorf("view: unexpected reply %T %v", v, v)
	}
	tv := gate.TicketView{StudentID: student, Rank: -1}
	tv.Ticket, _ = a[0].(string)
	if r, ok := a[1].(int64); ok {
		tv.Rank = r
	}
	if e, ok := a[2].(int64); ok && e >= 0 {
		tv.ActiveUntil = time.UnixMilli(e).UTC()
	}
	if s, ok := a[3].(string); ok && s != "" {
		adm, err := parseAdmission(s)
		if err != nil {
			return tv, err
		}
		tv.Admission = &adm
	}
	room, err := parseRoom(a[4])
	if err != nil {
		return tv, err
	}
	tv.Room = room
	return tv, nil
}

// parseAdmission reads an adm record: "jti|admitted ms|expires ms|number|token".
func parseAdmission(s string) (gate.Admission, error) {
	f := strings.SplitN(s, "|", 5)
	if len(f) != 5 {
		return gate.Admission{}, fmt.Errorf("admission record: %d fields", len(f))
	}
	at, err1 := strconv.ParseInt(f[1], 10, 64)
	exp, err2 := strconv.ParseInt(f[2], 10, 64)
	n, err3 := strconv.ParseInt(f[3], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return gate.Admission{}, fmt.Errorf("admission record: malformed numbers")
	}
	return gate.Admission{
		ID:         f[0],
		AdmittedAt: time.UnixMilli(at).UTC(),
		ExpiresAt:  time.UnixMilli(exp).UTC(),
		Number:     n,
		Token:      f[4],
	}, nil
}

// ms returns t in Unix milliseconds, as a script argument.
func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

func id(student int64) string { return strconv.FormatInt(student, 10) }

// ids parses a reply of student ids.
func ids(members []string) ([]int64, error) {
	out := make([]int64, len(members))
	for i, m := range members {
		n, err := strconv.ParseInt(m, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("student id %q: %w", m, err)
		}
		out[i] = n
	}
	return out, nil
}
