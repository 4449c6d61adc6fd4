package core_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/core"
)

func TestMinutes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   string
		want int
		ok   bool
	}{
		{"Midnight", "00:00", 0, true},
		{"Morning", "09:00", 540, true},
		{"WithMinutes", "10:15", 615, true},
		{"LastMinute", "23:59", 1439, true},
		{"EndOfDay", "24:00", 1440, true},
		{"PastEndOfDay", "24:01", 0, false},
		{"HalfPastTwentyFour", "24:30", 0, false},
		{"HourTwentyFive", "25:00", 0, false},
		{"MinuteSixty", "09:60", 0, false},
		{"OneDigitHour", "9:00", 0, false},
		{"OneDigitMinute", "09:0", 0, false},
		{"ThreeDigitMinute", "09:000", 0, false},
		{"NoColon", "0900", 0, false},
		{"OtherSeparator", "09.00", 0, false},
		{"Empty", "", 0, false},
		{"PlusHour", "+9:00", 0, false},
		{"PlusMinute", "09:+5", 0, false},
		{"NegativeHour", "-1:00", 0, false},
		{"NegativeMinute", "09:-5", 0, false},
		{"SpaceHour", " 9:00", 0, false},
		{"Letters", "ab:cd", 0, false},
		{"Seconds", "09:00:00", 0, false},
		{"FullWidthDigits", "０９:００", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := core.Minutes(tc.in)
			assert.Equal(t, tc.ok, ok)
			if tc.ok {
				assert.Equal(t, tc.want, got)
			}
		})
	}
}

func TestSlotValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		slot core.Slot
		ok   bool
	}{
		{"OK", core.Slot{Day: "MON", Start: "09:00", End: "10:15"}, true},
		{"Saturday", core.Slot{Day: "SAT", Start: "13:00", End: "14:00"}, true},
		{"WholeDay", core.Slot{Day: "FRI", Start: "00:00", End: "24:00"}, true},
		{"OneMinute", core.Slot{Day: "TUE", Start: "09:00", End: "09:01"}, true},
		{"Sunday", core.Slot{Day: "SUN", Start: "09:00", End: "10:00"}, false},
		{"LowerCaseDay", core.Slot{Day: "mon", Start: "09:00", End: "10:00"}, false},
		{"EmptyDay", core.Slot{Day: "", Start: "09:00", End: "10:00"}, false},
		{"LongDay", core.Slot{Day: "MONDAY", Start: "09:00", End: "10:00"}, false},
		{"StartEqualsEnd", core.Slot{Day: "MON", Start: "09:00", End: "09:00"}, false},
		{"StartAfterEnd", core.Slot{Day: "MON", Start: "11:00", End: "10:00"}, false},
		{"StartAtEndOfDay", core.Slot{Day: "MON", Start: "24:00", End: "24:00"}, false},
		{"BadStart", core.Slot{Day: "MON", Start: "9:00", End: "10:00"}, false},
		{"BadEnd", core.Slot{Day: "MON", Start: "09:00", End: "24:30"}, false},
		{"EmptyTimes", core.Slot{Day: "MON", Start: "", End: ""}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.slot.Validate()
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, errors.Is(err, core.ErrBadRequest), "%v is not BAD_REQUEST", err)
			assert.Equal(t, core.CodeBadRequest, core.ErrorCode(err))
		})
	}
}

func TestValidDay(t *testing.T) {
	t.Parallel()
	for _, d := range core.Days {
		assert.True(t, core.ValidDay(d), d)
	}
	for _, d := range []string{"", "SUN", "mon", "Mon", "MON ", "월"} {
		assert.False(t, core.ValidDay(d), d)
	}
}

func slot(s string) core.Slot {
	return core.Slot{Day: s[:3], Start: s[4:9], End: s[10:15]}
}

func slots(ss ...string) []core.Slot {
	out := make([]core.Slot, len(ss))
	for i, s := range ss {
		out[i] = slot(s)
	}
	return out
}

func TestOverlapsAndConflicts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		a, b []core.Slot
		want bool
	}{
		{"SameSlot", slots("MON 09:00-10:15"), slots("MON 09:00-10:15"), true},
		{"PartialOverlap", slots("MON 09:00-10:15"), slots("MON 10:00-11:15"), true},
		{"Contained", slots("MON 09:00-12:00"), slots("MON 10:00-11:00"), true},
		{"OneMinuteOverlap", slots("MON 09:00-10:01"), slots("MON 10:00-11:00"), true},
		{"TouchingEnds", slots("MON 09:00-10:00"), slots("MON 10:00-11:00"), false},
		{"TouchingStarts", slots("MON 10:00-11:00"), slots("MON 09:00-10:00"), false},
		{"Apart", slots("MON 09:00-10:00"), slots("MON 13:00-14:00"), false},
		{"DifferentDays", slots("MON 09:00-10:15"), slots("TUE 09:00-10:15"), false},
		{"EndOfDay", slots("SAT 23:00-24:00"), slots("SAT 23:30-24:00"), true},
		{"MultiSlotOneOverlaps", slots("MON 09:00-10:15", "WED 09:00-10:15"), slots("TUE 09:00-10:15", "WED 10:00-11:00"), true},
		{"MultiSlotNoneOverlaps", slots("MON 09:00-10:15", "WED 09:00-10:15"), slots("MON 10:15-11:30", "WED 10:15-11:30"), false},
		{"MultiSlotDisjointDays", slots("MON 09:00-10:15", "WED 09:00-10:15"), slots("TUE 09:00-10:15", "THU 09:00-10:15"), false},
		{"EmptyA", nil, slots("MON 09:00-10:00"), false},
		{"EmptyBoth", nil, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, core.Conflicts(tc.a, tc.b))
			assert.Equal(t, tc.want, core.Conflicts(tc.b, tc.a), "conflict is symmetric")
			if len(tc.a) == 1 && len(tc.b) == 1 {
				assert.Equal(t, tc.want, tc.a[0].Overlaps(tc.b[0]))
				assert.Equal(t, tc.want, tc.b[0].Overlaps(tc.a[0]))
			}
		})
	}
}

func validCourse() core.Course {
	return core.Course{
		ID: 1, Code: "CSE2010-01", Title: "자료구조", Professor: "김교수", Department: "컴퓨터공학과",
		Credits: 3, Capacity: 40, Room: "공학관 101", Schedule: slots("MON 09:00-10:15", "WED 09:00-10:15"),
	}
}

func TestCourseValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		change func(c *core.Course)
		ok     bool
	}{
		{"OK", func(*core.Course) {}, true},
		{"CodeWithDotAndUnderscore", func(c *core.Course) { c.Code = "a.b_c-1" }, true},
		{"CodeOneChar", func(c *core.Course) { c.Code = "X" }, true},
		{"Code32Chars", func(c *core.Course) { c.Code = strings.Repeat("A", 32) }, true},
		{"Code33Chars", func(c *core.Course) { c.Code = strings.Repeat("A", 33) }, false},
		{"CodeEmpty", func(c *core.Course) { c.Code = "" }, false},
		{"CodeLeadingDash", func(c *core.Course) { c.Code = "-CSE" }, false},
		{"CodeSpace", func(c *core.Course) { c.Code = "CSE 2010" }, false},
		{"CodeSlash", func(c *core.Course) { c.Code = "CSE/2010" }, false},
		{"CodeKorean", func(c *core.Course) { c.Code = "자료구조" }, false},
		{"CodeNewline", func(c *core.Course) { c.Code = "CSE2010\n" }, false},
		{"TitleEmpty", func(c *core.Course) { c.Title = "" }, false},
		{"Title128Runes", func(c *core.Course) { c.Title = strings.Repeat("가", 128) }, true},
		{"Title129Runes", func(c *core.Course) { c.Title = strings.Repeat("가", 129) }, false},
		{"TitleInvalidUTF8", func(c *core.Course) { c.Title = "a\xffb" }, false},
		{"ProfessorEmpty", func(c *core.Course) { c.Professor = "" }, false},
		{"Professor65Runes", func(c *core.Course) { c.Professor = strings.Repeat("김", 65) }, false},
		{"DepartmentEmpty", func(c *core.Course) { c.Department = "" }, false},
		{"RoomEmpty", func(c *core.Course) { c.Room = "" }, false},
		{"Credits0", func(c *core.Course) { c.Credits = 0 }, false},
		{"Credits1", func(c *core.Course) { c.Credits = 1 }, true},
		{"Credits6", func(c *core.Course) { c.Credits = 6 }, true},
		{"Credits7", func(c *core.Course) { c.Credits = 7 }, false},
		{"CreditsNegative", func(c *core.Course) { c.Credits = -3 }, false},
		{"Capacity0", func(c *core.Course) { c.Capacity = 0 }, false},
		{"Capacity1", func(c *core.Course) { c.Capacity = 1 }, true},
		{"Capacity10000", func(c *core.Course) { c.Capacity = 10000 }, true},
		{"Capacity10001", func(c *core.Course) { c.Capacity = 10001 }, false},
		{"ScheduleEmpty", func(c *core.Course) { c.Schedule = nil }, false},
		{"Schedule4Slots", func(c *core.Course) {
			c.Schedule = slots("MON 09:00-10:00", "TUE 09:00-10:00", "WED 09:00-10:00", "THU 09:00-10:00")
		}, true},
		{"Schedule5Slots", func(c *core.Course) {
			c.Schedule = slots("MON 09:00-10:00", "TUE 09:00-10:00", "WED 09:00-10:00", "THU 09:00-10:00", "FRI 09:00-10:00")
		}, false},
		{"ScheduleSunday", func(c *core.Course) { c.Schedule[1].Day = "SUN" }, false},
		{"ScheduleStartAfterEnd", func(c *core.Course) { c.Schedule[0].Start, c.Schedule[0].End = "10:15", "09:00" }, false},
		{"ScheduleBadTime", func(c *core.Course) { c.Schedule[0].Start = "9:00" }, false},
		{"RemainingIgnored", func(c *core.Course) { c.Remaining = -5 }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := validCourse()
			tc.change(&c)
			err := c.Validate()
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, core.CodeBadRequest, core.ErrorCode(err))
		})
	}
}

func TestScheduleRoundTrip(t *testing.T) {
	t.Parallel()
	in := slots("MON 09:00-10:15", "WED 09:00-10:15")
	out, err := core.DecodeSchedule(core.EncodeSchedule(in))
	require.NoError(t, err)
	assert.Equal(t, in, out)
	_, err = core.DecodeSchedule("not json")
	assert.Error(t, err)
}
