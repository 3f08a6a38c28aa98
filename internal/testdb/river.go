package testdb

import (
	"runtime/debug"
)

// riverVersion names the River module in the build, whose migrations the
// template also carries.
func riverVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, d := range info.Deps {
		if d.Path == "github.com/riverqueue/river" {
			return d.Version
		}
	}
	return "unknown"
}
