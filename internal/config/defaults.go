package config

import "time"

// The defaults every part falls back on when it is built without a
// setting (tests, benchmarks, library use). They live here once, so
// changing the national hotline or the zone is one edit.
const (
	DefaultHotline = "12345"
	DefaultTZName  = "Asia/Shanghai"
)

// DefaultTZ is the zone of DefaultTZName. A system without the zone
// database gets China Standard Time, which has had no daylight saving since
// 1991, so the fixed offset is the same zone in effect.
func DefaultTZ() *time.Location {
	if loc, err := time.LoadLocation(DefaultTZName); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}
