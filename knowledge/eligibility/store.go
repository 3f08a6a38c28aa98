package eligibility

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store keeps the region profiles in the database with the day each takes
// effect, so a bureau sets its own standards, year by year, without a
// rebuild. The rules engine stays pure: the store only hands it a RegionSet.
type Store struct{ pool *pgxpool.Pool }

// NewStore returns a store on pool (tables of migrations/00150).
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// ErrNoProfileInForce means a region has profiles, none yet in force on
// the day asked.
var ErrNoProfileInForce = errors.New("no profile in force")

// RegionVersion is one region's profile from one day on.
type RegionVersion struct {
	Profile
	EffectiveFrom time.Time `json:"effective_from"`
	UpdatedBy     string    `json:"updated_by"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Document is the version as a profile JSON document, the form `region
// import` reads and `region export` writes.
func (v RegionVersion) Document() map[string]any {
	b, _ := json.Marshal(v.Profile)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["effective_from"] = v.EffectiveFrom.Format(time.DateOnly)
	return m
}

// Seed stores the bundled profiles that are not there yet, under their
// effective dates. A bureau's own edit of the same region and day is kept.
func (s *Store) Seed(ctx context.Context) error {
	for _, id := range BundledRegions().IDs() {
		b := builtins[id]
		doc, err := documentOf(b)
		if err != nil {
			return err
		}
		if _, err := s.pool.Exec(ctx, `INSERT INTO eligibility_regions (region_id, effective_from, name, profile, updated_by)
			VALUES ($1, $2, $3, $4, 'bundled') ON CONFLICT DO NOTHING`, id, seedDate(b), b.profile.Name, doc); err != nil {
			return fmt.Errorf("seed region %s: %w", id, err)
		}
	}
	return nil
}

func seedDate(b builtin) string {
	if b.effectiveFrom != "" {
		return b.effectiveFrom
	}
	return "2000-01-01"
}

// documentOf is the stored JSON of a parsed profile: its parameters as
// read plus its sources.
func documentOf(b builtin) ([]byte, error) {
	m := deepCopy(b.raw)
	m["sources"] = b.profile.Sources
	return json.Marshal(m)
}

// Versions lists every stored version, by region and then date.
func (s *Store) Versions(ctx context.Context, regionID string) ([]RegionVersion, error) {
	rows, err := s.pool.Query(ctx, `SELECT region_id, effective_from, profile, updated_by, updated_at
		FROM eligibility_regions WHERE $1 = '' OR region_id = $1 ORDER BY region_id, effective_from`, regionID)
	if err != nil {
		return nil, fmt.Errorf("region versions: %w", err)
	}
	defer rows.Close()
	var out []RegionVersion
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("region versions: %w", err)
	}
	if regionID != "" && len(out) == 0 {
		return nil, s.unknown(ctx, regionID)
	}
	return out, nil
}

func scanVersion(row pgx.Row) (RegionVersion, error) {
	var (
		v   RegionVersion
		id  string
		doc []byte
	)
	if err := row.Scan(&id, &v.EffectiveFrom, &doc, &v.UpdatedBy, &v.UpdatedAt); err != nil {
		return v, fmt.Errorf("region: %w", err)
	}
	b, err := parseRegion(doc, "stored region "+id)
	if err != nil {
		return v, err
	}
	v.Profile = b.profile
	return v, nil
}

func (s *Store) unknown(ctx context.Context, id string) error {
	var ids []string
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT region_id FROM eligibility_regions ORDER BY 1`)
	if err == nil {
		ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if err != nil {
		return fmt.Errorf("region list: %w", err)
	}
	return fmt.Errorf("region %q: %w (known: %s)", id, ErrUnknownRegion, strings.Join(ids, ", "))
}

// InForce returns every region's profile in force on day (the latest
// version whose effective date is not after it). Regions whose first
// version starts later are left out.
func (s *Store) InForce(ctx context.Context, day time.Time) (RegionSet, error) {
	// One statement: the chat's pre-check reads the profiles at every
	// step. The ids ever stored come along on every row (and on a row of
	// their own when nothing is in force yet), so the bundled regions the
	// database has never stored can be told apart below.
	rows, err := s.pool.Query(ctx, `
		WITH inforce AS (
			SELECT DISTINCT ON (region_id) region_id, effective_from, profile
			FROM eligibility_regions WHERE effective_from <= $1::date
			ORDER BY region_id, effective_from DESC)
		SELECT i.region_id, i.effective_from, i.profile, coalesce(st.ids, '{}')
		FROM (SELECT array_agg(DISTINCT region_id) AS ids FROM eligibility_regions) st
		LEFT JOIN inforce i ON true`, day.Format(time.DateOnly))
	if err != nil {
		return RegionSet{}, fmt.Errorf("regions in force: %w", err)
	}
	defer rows.Close()
	set := RegionSet{byID: map[string]builtin{}}
	var stored []string
	for rows.Next() {
		var (
			id   *string
			from *time.Time
			doc  []byte
		)
		if err := rows.Scan(&id, &from, &doc, &stored); err != nil {
			return RegionSet{}, fmt.Errorf("regions in force: %w", err)
		}
		if id == nil {
			continue // nothing in force yet
		}
		b, err := parseRegion(doc, "stored region "+*id)
		if err != nil {
			return RegionSet{}, err
		}
		b.effectiveFrom = from.Format(time.DateOnly)
		set.byID[*id] = b
	}
	if err := rows.Err(); err != nil {
		return RegionSet{}, fmt.Errorf("regions in force: %w", err)
	}
	// A bundled region the database has never stored (not seeded yet)
	// still counts, from its own effective date.
	for id, b := range builtins {
		if !slices.Contains(stored, id) && seedDate(b) <= day.Format(time.DateOnly) {
			set.byID[id] = b
		}
	}
	return set, nil
}

// Version returns the profile of region id in force on day.
func (s *Store) Version(ctx context.Context, id string, day time.Time) (RegionVersion, error) {
	v, err := scanVersion(s.pool.QueryRow(ctx, `SELECT region_id, effective_from, profile, updated_by, updated_at
		FROM eligibility_regions WHERE region_id = $1 AND effective_from <= $2::date
		ORDER BY effective_from DESC LIMIT 1`, id, day.Format(time.DateOnly)))
	if errors.Is(err, pgx.ErrNoRows) {
		if _, verr := s.Versions(ctx, id); verr != nil {
			return RegionVersion{}, verr
		}
		return RegionVersion{}, fmt.Errorf("region %q on %s: %w", id, day.Format(time.DateOnly), ErrNoProfileInForce)
	}
	return v, err
}

// Change is one figure or source a save changed, for the audit log.
type Change struct {
	Field string `json:"field"`
	Old   any    `json:"old"`
	New   any    `json:"new"`
}

// Save validates a profile document (parameters, a source for each, and
// effective_from) and stores it as that region's version from that day,
// replacing one of the same day. It returns what changed against the
// version that was in force on that day before, for the audit log.
// A document that does not validate is a *DocumentError naming the field.
func (s *Store) Save(ctx context.Context, doc []byte, by string) (RegionVersion, []Change, error) {
	return s.SaveWith(ctx, doc, by, nil)
}

// SaveWith is Save that also runs also in the same transaction, with the
// version saved and what changed: the console writes its audit record
// there, so a profile never changes without its record, nor the record
// without the change.
func (s *Store) SaveWith(ctx context.Context, doc []byte, by string,
	also func(tx pgx.Tx, v RegionVersion, changes []Change) error) (RegionVersion, []Change, error) {
	b, err := parseRegion(doc, "region")
	if err != nil {
		return RegionVersion{}, nil, &DocumentError{Err: err}
	}
	if b.effectiveFrom == "" {
		return RegionVersion{}, nil, &DocumentError{Err: errors.New("region: effective_from: the day these figures take effect is required (YYYY-MM-DD)")}
	}
	from, _ := time.Parse(time.DateOnly, b.effectiveFrom)
	if strings.TrimSpace(b.profile.Name) == "" {
		return RegionVersion{}, nil, &DocumentError{Err: errors.New("region: name: a region needs a name people recognise")}
	}
	stored, err := documentOf(b)
	if err != nil {
		return RegionVersion{}, nil, err
	}
	var changes []Change
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Serialise saves of one region so each sees the one before.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('eligibility_regions:' || $1))`, b.profile.ID); err != nil {
			return err
		}
		var prev []byte
		err := tx.QueryRow(ctx, `SELECT profile FROM eligibility_regions WHERE region_id = $1 AND effective_from <= $2
			ORDER BY effective_from DESC LIMIT 1`, b.profile.ID, from).Scan(&prev)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			changes = []Change{{Field: "region", Old: nil, New: b.profile.ID}}
		case err != nil:
			return err
		default:
			old, perr := parseRegion(prev, "stored region "+b.profile.ID)
			if perr != nil {
				return perr
			}
			changes = diffProfiles(old.profile, b.profile)
		}
		_, err = tx.Exec(ctx, `INSERT INTO eligibility_regions (region_id, effective_from, name, profile, updated_by)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (region_id, effective_from) DO UPDATE SET name = excluded.name, profile = excluded.profile,
				updated_by = excluded.updated_by, updated_at = now()`, b.profile.ID, from, b.profile.Name, stored, by)
		if err != nil || also == nil {
			return err
		}
		return also(tx, RegionVersion{Profile: b.profile, EffectiveFrom: from, UpdatedBy: by, UpdatedAt: time.Now()}, changes)
	})
	if err != nil {
		return RegionVersion{}, nil, fmt.Errorf("save region %s: %w", b.profile.ID, err)
	}
	return RegionVersion{Profile: b.profile, EffectiveFrom: from, UpdatedBy: by, UpdatedAt: time.Now()}, changes, nil
}

// DocumentError is a profile document that does not validate; the message
// names the field.
type DocumentError struct{ Err error }

func (e *DocumentError) Error() string { return e.Err.Error() }
func (e *DocumentError) Unwrap() error { return e.Err }

// Import saves one profile document or a JSON array of them (as `region
// export` writes), all or none.
func (s *Store) Import(ctx context.Context, data []byte, by string) (saved int, err error) {
	data = bytes.TrimSpace(data)
	var docs []json.RawMessage
	if len(data) > 0 && data[0] == '[' {
		if err := json.Unmarshal(data, &docs); err != nil {
			return 0, &DocumentError{Err: fmt.Errorf("region file: %w", err)}
		}
	} else {
		docs = []json.RawMessage{data}
	}
	// Validate everything before storing anything.
	for i, d := range docs {
		b, err := parseRegion(d, fmt.Sprintf("region file item %d", i+1))
		if err != nil {
			return 0, &DocumentError{Err: err}
		}
		if b.effectiveFrom == "" {
			return 0, &DocumentError{Err: fmt.Errorf("region file item %d: effective_from: required (YYYY-MM-DD)", i+1)}
		}
	}
	for _, d := range docs {
		if _, _, err := s.Save(ctx, d, by); err != nil {
			return saved, err
		}
		saved++
	}
	return saved, nil
}

// diffProfiles lists the figures and sources that differ.
func diffProfiles(old, cur Profile) []Change {
	flat := func(p Profile) map[string]any {
		out := map[string]any{"name": p.Name}
		b, _ := json.Marshal(p)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		delete(m, "sources")
		delete(m, "id")
		delete(m, "name")
		for k, v := range m {
			if sub, ok := v.(map[string]any); ok {
				for sk, sv := range sub {
					out[k+"."+sk] = sv
				}
				continue
			}
			out[k] = v
		}
		for k, src := range p.Sources {
			out["sources."+k] = src
		}
		return out
	}
	a, b := flat(old), flat(cur)
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var out []Change
	for k := range keys {
		if fmt.Sprint(a[k]) != fmt.Sprint(b[k]) {
			out = append(out, Change{Field: k, Old: a[k], New: b[k]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// RegionIDs lists the stored region ids and the bundled ones (the seed,
// so a database not yet seeded still knows them): outreach checks
// households' regions against it.
func (s *Store) RegionIDs(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT region_id FROM eligibility_regions`)
	if err != nil {
		return nil, fmt.Errorf("region ids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("region ids: %w", err)
	}
	for _, id := range BundledRegions().IDs() {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// RegionParams are the parameters every profile sets, in display order;
// nested ones are written with a dot (dibao_standard_monthly.rural).
func RegionParams() []string { return slices.Clone(regionParams) }

// ParamValue is a profile's value of one of RegionParams as text, "" for an
// open phase-out maximum.
func (p Profile) ParamValue(param string) string {
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	switch param {
	case "dibao_standard_monthly.urban":
		return num(p.DibaoStandardMonthly.Urban)
	case "dibao_standard_monthly.rural":
		return num(p.DibaoStandardMonthly.Rural)
	case "low_income_multiplier":
		return num(p.LowIncomeMultiplier)
	case "phaseout_cap_multiplier":
		return num(p.PhaseoutCapMultiple)
	case "phaseout_months.min":
		return strconv.Itoa(p.PhaseoutMonths.Min)
	case "phaseout_months.max":
		if p.PhaseoutMonths.Max == nil {
			return ""
		}
		return strconv.Itoa(*p.PhaseoutMonths.Max)
	case "min_wage_monthly":
		return num(p.MinWageMonthly)
	case "working_age.min":
		return strconv.Itoa(p.WorkingAge.Min)
	case "working_age.max":
		return strconv.Itoa(p.WorkingAge.Max)
	case "elderly_age":
		return strconv.Itoa(p.ElderlyAge)
	case "tekun_minor_age":
		return strconv.Itoa(p.TekunMinorAge)
	case "temporary_town_limit":
		return num(p.TemporaryTownLimit)
	}
	return ""
}

// ProfileDocument builds a profile document from text values of
// RegionParams (as a form sends them) and their sources. A value that is
// not a number is reported by parameter name.
func ProfileDocument(id, name, effectiveFrom string, values map[string]string, sources map[string]Source) ([]byte, error) {
	doc := map[string]any{"id": id, "name": name, "effective_from": effectiveFrom}
	for _, param := range regionParams {
		raw := strings.TrimSpace(values[param])
		var v any
		if raw == "" && param == "phaseout_months.max" {
			v = nil // open-ended
		} else {
			f, err := strconv.ParseFloat(raw, 64)
			if err != nil {
				return nil, &DocumentError{Err: fmt.Errorf("%s: %q is not a number", param, raw)}
			}
			v = f
		}
		if top, sub, nested := strings.Cut(param, "."); nested {
			m, _ := doc[top].(map[string]any)
			if m == nil {
				m = map[string]any{}
				doc[top] = m
			}
			m[sub] = v
		} else {
			doc[param] = v
		}
	}
	doc["sources"] = sources
	return json.Marshal(doc)
}

// Document is a policy document sources may cite, by title.
type Document struct {
	File  string `json:"file"`
	Title string `json:"title"`
}

// Documents lists the documents the profiles may cite, by title.
func Documents() []Document {
	out := make([]Document, 0, len(docTitles))
	for f, t := range docTitles {
		out = append(out, Document{File: f, Title: t})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out
}
