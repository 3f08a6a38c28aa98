package eligibility

import "io/fs"

// LoadRegionsForTest exposes the region loader to the external tests.
func LoadRegionsForTest(fsys fs.FS) ([]string, error) {
	m, err := loadRegions(fsys)
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	return ids, err
}
