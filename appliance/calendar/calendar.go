// Package calendar decides when the service hall's staff seats are open.
// Times are stored in UTC everywhere else; business rules are computed
// here, in the hall's own time zone, whatever the server's zone is.
package calendar

import (
	"fmt"
	"slices"
	"strings"
	"time"

	// The appliance image may ship without a zoneinfo database, and the
	// hall's zone must still resolve.
	_ "time/tzdata"
)

// Period is one opening span within a day, as minutes after midnight.
type Period struct {
	Start, End int
}

// Config describes opening hours. The zero value is not valid; use
// Default or fill every field.
type Config struct {
	// Zone is an IANA time zone name such as "Asia/Shanghai".
	Zone string
	// Weekdays lists the open days of a normal week.
	Weekdays []time.Weekday
	// Periods lists the open spans of an open day as "HH:MM-HH:MM".
	Periods []string
	// Holidays lists dates (YYYY-MM-DD) that are closed although their
	// weekday is open.
	Holidays []string
	// Workdays lists make-up working dates (YYYY-MM-DD) that are open
	// although their weekday is closed.
	Workdays []string
	// AlwaysOpen keeps seats open around the clock, for drills and tests.
	AlwaysOpen bool
}

// Default is Monday to Friday 08:30–12:00 and 14:00–17:30 in Asia/Shanghai.
func Default() Config {
	return Config{
		Zone:     "Asia/Shanghai",
		Weekdays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
		Periods:  []string{"08:30-12:00", "14:00-17:30"},
	}
}

// Calendar answers opening-hour questions.
type Calendar struct {
	loc      *time.Location
	weekdays map[time.Weekday]bool
	periods  []Period
	holidays map[string]bool
	workdays map[string]bool
	always   bool
}

// New validates cfg and builds a calendar.
func New(cfg Config) (*Calendar, error) {
	loc, err := time.LoadLocation(cfg.Zone)
	if err != nil {
		return nil, fmt.Errorf("loading time zone %q: %w", cfg.Zone, err)
	}
	c := &Calendar{
		loc:      loc,
		weekdays: map[time.Weekday]bool{},
		holidays: map[string]bool{},
		workdays: map[string]bool{},
		always:   cfg.AlwaysOpen,
	}
	for _, d := range cfg.Weekdays {
		c.weekdays[d] = true
	}
	for _, p := range cfg.Periods {
		period, err := parsePeriod(p)
		if err != nil {
			return nil, err
		}
		c.periods = append(c.periods, period)
	}
	slices.SortFunc(c.periods, func(a, b Period) int { return a.Start - b.Start })
	for i := 1; i < len(c.periods); i++ {
		if c.periods[i].Start < c.periods[i-1].End {
			return nil, fmt.Errorf("working hours %q and %q overlap", cfg.Periods[i-1], cfg.Periods[i])
		}
	}
	if err := addDates(c.holidays, cfg.Holidays, "holiday"); err != nil {
		return nil, err
	}
	if err := addDates(c.workdays, cfg.Workdays, "make-up workday"); err != nil {
		return nil, err
	}
	return c, nil
}

func parsePeriod(s string) (Period, error) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return Period{}, fmt.Errorf("working hours %q: want HH:MM-HH:MM", s)
	}
	start, err1 := parseClock(from)
	end, err2 := parseClock(to)
	if err1 != nil || err2 != nil {
		return Period{}, fmt.Errorf("working hours %q: want HH:MM-HH:MM with times from 00:00 to 24:00", s)
	}
	if end <= start {
		return Period{}, fmt.Errorf("working hours %q end before they start", s)
	}
	return Period{Start: start, End: end}, nil
}

func parseClock(s string) (int, error) {
	var h, m int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &h, &m); err != nil {
		return 0, err
	}
	if h < 0 || m < 0 || m > 59 || h*60+m > 24*60 {
		return 0, fmt.Errorf("clock %q out of range", s)
	}
	return h*60 + m, nil
}

func addDates(set map[string]bool, dates []string, what string) error {
	for _, d := range dates {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return fmt.Errorf("%s %q: want YYYY-MM-DD", what, d)
		}
		set[d] = true
	}
	return nil
}

// Location returns the hall's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// openDay reports whether the date of t (in the hall's zone) is a working day.
func (c *Calendar) openDay(t time.Time) bool {
	date := t.Format(time.DateOnly)
	if c.workdays[date] {
		return true
	}
	if c.holidays[date] {
		return false
	}
	return c.weekdays[t.Weekday()]
}

// IsOpen reports whether staff seats are open at t.
func (c *Calendar) IsOpen(t time.Time) bool {
	if c.always {
		return true
	}
	t = t.In(c.loc)
	if !c.openDay(t) {
		return false
	}
	minute := t.Hour()*60 + t.Minute()
	for _, p := range c.periods {
		if minute >= p.Start && minute < p.End {
			return true
		}
	}
	return false
}

// NextOpen returns the next moment at or after t when seats open, or the
// zero time when no opening lies within a year.
func (c *Calendar) NextOpen(t time.Time) time.Time {
	if c.IsOpen(t) {
		return t
	}
	t = t.In(c.loc)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, c.loc)
	for i := 0; i < 370; i++ {
		d := day.AddDate(0, 0, i)
		if !c.openDay(d) {
			continue
		}
		for _, p := range c.periods {
			start := d.Add(time.Duration(p.Start) * time.Minute)
			if !start.Before(t) {
				return start
			}
		}
	}
	return time.Time{}
}

var weekdayNames = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// Describe returns the opening hours in Chinese, such as
// "周一至周五 08:30-12:00，14:00-17:30（法定节假日除外）".
func (c *Calendar) Describe() string {
	if c.always {
		return "全天 24 小时"
	}
	var days []time.Weekday
	for d := time.Sunday; d <= time.Saturday; d++ {
		if c.weekdays[d] {
			days = append(days, d)
		}
	}
	var b strings.Builder
	b.WriteString(describeDays(days))
	b.WriteString(" ")
	for i, p := range c.periods {
		if i > 0 {
			b.WriteString("，")
		}
		fmt.Fprintf(&b, "%02d:%02d-%02d:%02d", p.Start/60, p.Start%60, p.End/60, p.End%60)
	}
	b.WriteString("（法定节假日除外）")
	return b.String()
}

func describeDays(days []time.Weekday) string {
	if len(days) == 0 {
		return "暂无固定工作日"
	}
	contiguous := true
	for i := 1; i < len(days); i++ {
		if days[i] != days[i-1]+1 {
			contiguous = false
		}
	}
	if contiguous && len(days) > 2 {
		return weekdayNames[days[0]] + "至" + weekdayNames[days[len(days)-1]]
	}
	names := make([]string, len(days))
	for i, d := range days {
		names[i] = weekdayNames[d]
	}
	return strings.Join(names, "、")
}
