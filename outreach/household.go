package outreach

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/safetynet/safetynet/internal/pii"
)

// Programs a household may be enrolled in.
var Programs = []string{"dibao", "dibao_phaseout", "tekun", "low_income"}

// ProgramNames are the programs as residents know them.
var ProgramNames = map[string]string{
	"dibao":          "最低生活保障（低保）",
	"dibao_phaseout": "低保渐退",
	"tekun":          "特困人员救助供养",
	"low_income":     "低收入家庭",
}

// CSVColumns are the required columns of the households CSV, in order.
var CSVColumns = []string{"household_id", "head_name", "national_id", "phone", "region", "area", "program",
	"enrolled_on", "next_review_on", "phaseout_ends_on", "pledge_signed_on"}

// HouseholdRecord is one validated CSV row, personal data still in clear.
type HouseholdRecord struct {
	Line           int
	HouseholdID    string
	HeadName       string
	NationalID     string
	Phone          string
	Region         string
	Area           string
	Program        string
	EnrolledOn     time.Time
	NextReviewOn   time.Time
	PhaseoutEndsOn *time.Time
	PledgeSignedOn *time.Time
	Extra          map[string]string
}

// RowError is one problem in the CSV, by line and field.
type RowError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e RowError) String() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message)
}

// ImportError lists every bad row; nothing was imported.
type ImportError struct{ Rows []RowError }

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s), nothing imported:", len(e.Rows))
	for _, r := range e.Rows {
		b.WriteString("\n  ")
		b.WriteString(r.String())
	}
	return b.String()
}

// ImportResult counts what an import did (or would do, dry run).
type ImportResult struct {
	Rows     int `json:"rows"`
	Inserted int `json:"inserted"`
	// Updated counts households whose stored data changed; a row equal to
	// what is stored counts as Unchanged, so re-importing a file says so.
	Updated   int  `json:"updated"`
	Unchanged int  `json:"unchanged"`
	DryRun    bool `json:"dry_run"`
	// SharedIDs are households of the file whose ID number is enrolled
	// under another household id as well; they are imported and flagged.
	SharedIDs []SharedID `json:"shared_ids,omitempty"`
}

// unknownRegion says a region id has no profile and which ones do.
func unknownRegion(id string, known []string) string {
	return fmt.Sprintf("unknown region %q (known: %s)", id, strings.Join(known, ", "))
}

// SharedID is a household whose ID number other households have too.
type SharedID struct {
	Line        int      `json:"line,omitempty"`
	HouseholdID string   `json:"household_id"`
	Others      []string `json:"others"`
}

// Size caps of the households file: far above any real value, low enough
// that a file cannot fill the database or a page with one cell.
const (
	maxNameRunes   = 64
	maxPhoneLen    = 32
	maxRegionLen   = 64
	maxCellBytes   = 1024
	maxExtraCols   = 20
	maxHeaderBytes = 64
)

// ParseHouseholds reads and validates the households CSV against the region
// ids that have a profile. It returns every problem found, not just the
// first, as an *ImportError.
func ParseHouseholds(r io.Reader, regions []string) ([]HouseholdRecord, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &ImportError{Rows: []RowError{{Line: 1, Message: "empty file: a header row is required"}}}
	}
	if err != nil {
		return nil, &ImportError{Rows: []RowError{{Line: 1, Message: err.Error()}}}
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	col := map[string]int{}
	var problems []RowError
	extraCols := 0
	for i, h := range header {
		h = strings.TrimSpace(h)
		if len(h) > maxHeaderBytes {
			problems = append(problems, RowError{Line: 1, Field: fmt.Sprintf("column %d", i+1), Message: fmt.Sprintf("header longer than %d bytes", maxHeaderBytes)})
			continue
		}
		if !contains(CSVColumns, h) {
			extraCols++
		}
		col[h] = i
	}
	if extraCols > maxExtraCols {
		problems = append(problems, RowError{Line: 1, Message: fmt.Sprintf("%d extra columns; at most %d beyond the known ones", extraCols, maxExtraCols)})
	}
	for _, c := range CSVColumns {
		if _, ok := col[c]; !ok {
			problems = append(problems, RowError{Line: 1, Field: c, Message: "column missing from the header"})
		}
	}
	if len(problems) > 0 {
		return nil, &ImportError{Rows: problems}
	}
	var out []HouseholdRecord
	seenID := map[string]int{}
	seenNID := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			problems = append(problems, RowError{Line: line, Message: "not valid CSV: " + err.Error()})
			if pe == nil || pe.Err == csv.ErrFieldCount {
				continue
			}
			continue
		}
		get := func(name string) string {
			i := col[name]
			if i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		bad := func(field, format string, args ...any) {
			problems = append(problems, RowError{Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rec) != len(header) {
			bad("", "has %d fields, the header has %d", len(rec), len(header))
		}
		for i, v := range rec {
			if !utf8.ValidString(v) {
				bad(strings.TrimSpace(header[min(i, len(header)-1)]), "not UTF-8 text")
			} else if len(v) > maxCellBytes {
				bad(strings.TrimSpace(header[min(i, len(header)-1)]), "longer than %d bytes", maxCellBytes)
			}
		}
		h := HouseholdRecord{Line: line, HouseholdID: get("household_id"), HeadName: get("head_name"),
			Region: get("region"), Area: get("area"), Program: get("program"), Phone: get("phone")}
		if h.HouseholdID == "" {
			bad("household_id", "is empty")
		} else if len(h.HouseholdID) > 64 {
			bad("household_id", "longer than 64 characters")
		} else if !ValidHouseholdID(h.HouseholdID) {
			bad("household_id", "%q may hold only letters A-Z a-z, digits and - _, starting with a letter or digit", h.HouseholdID)
		} else if first, dup := seenID[h.HouseholdID]; dup {
			bad("household_id", "duplicate household %q (first on line %d)", h.HouseholdID, first)
		} else {
			seenID[h.HouseholdID] = line
		}
		if h.HeadName == "" {
			bad("head_name", "is empty")
		} else if utf8.RuneCountInString(h.HeadName) > maxNameRunes {
			bad("head_name", "longer than %d characters", maxNameRunes)
		}
		if len(h.Phone) > maxPhoneLen {
			bad("phone", "longer than %d characters", maxPhoneLen)
			h.Phone = ""
		}
		nid, err := pii.ValidateNationalID(get("national_id"))
		switch {
		case get("national_id") == "":
			bad("national_id", "is empty")
		case err != nil:
			bad("national_id", "%s", strings.TrimPrefix(err.Error(), pii.ErrBadNationalID.Error()+": "))
		default:
			if first, dup := seenNID[nid]; dup {
				bad("national_id", "same ID number as line %d", first)
			} else {
				seenNID[nid] = line
			}
			h.NationalID = nid
		}
		if h.Phone != "" {
			// The value itself stays out of the message, even masked (a short
			// one would show whole): it is personal data and import errors
			// reach logs and screens. The line says which row.
			if p, err := pii.ValidatePhone(h.Phone); err != nil {
				bad("phone", "%v; give an 11-digit mobile or a landline with area code", err)
			} else {
				h.Phone = p
			}
		}
		if h.Region == "" {
			bad("region", "is empty")
		} else if len(h.Region) > maxRegionLen {
			bad("region", "longer than %d characters", maxRegionLen)
		} else if !slices.Contains(regions, h.Region) {
			bad("region", "%s", unknownRegion(h.Region, regions))
		}
		if h.Area != "urban" && h.Area != "rural" {
			bad("area", "%q is not urban or rural", h.Area)
		}
		if !contains(Programs, h.Program) {
			bad("program", "unknown program %q (known: %s)", h.Program, strings.Join(Programs, ", "))
		}
		date := func(field string, required bool) *time.Time {
			v := get(field)
			if v == "" {
				if required {
					bad(field, "is empty")
				}
				return nil
			}
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				bad(field, "%q is not a real date YYYY-MM-DD", v)
				return nil
			}
			return &t
		}
		if d := date("enrolled_on", true); d != nil {
			h.EnrolledOn = *d
		}
		if d := date("next_review_on", true); d != nil {
			h.NextReviewOn = *d
		}
		h.PhaseoutEndsOn = date("phaseout_ends_on", false)
		h.PledgeSignedOn = date("pledge_signed_on", false)
		if h.Program == "dibao_phaseout" && h.PhaseoutEndsOn == nil && get("phaseout_ends_on") == "" {
			bad("phaseout_ends_on", "required for program dibao_phaseout")
		}
		for name, i := range col {
			if !contains(CSVColumns, name) && i < len(rec) {
				if h.Extra == nil {
					h.Extra = map[string]string{}
				}
				h.Extra[name] = rec[i]
			}
		}
		out = append(out, h)
	}
	if len(problems) > 0 {
		return nil, &ImportError{Rows: problems}
	}
	return out, nil
}

// ValidHouseholdID tells whether id is a household id: ASCII letters,
// digits, '-' and '_', beginning with a letter or digit. Ids end up in
// links, logs and spreadsheets; anything wider lets a formula
// (=cmd|…) or a look-alike character in.
func ValidHouseholdID(id string) bool {
	if id == "" || id[0] == '-' || id[0] == '_' {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Import enrols or updates the households of the CSV in one transaction:
// all rows or none. Personal data is sealed before it reaches the database.
func (s *Service) Import(ctx context.Context, r io.Reader, dryRun bool) (ImportResult, error) {
	if err := s.needVault(); err != nil {
		return ImportResult{}, err
	}
	regions, err := s.cfg.Regions.RegionIDs(ctx)
	if err != nil {
		return ImportResult{}, fmt.Errorf("import: region list: %w", err)
	}
	recs, err := ParseHouseholds(r, regions)
	if err != nil {
		return ImportResult{}, err
	}
	return s.ImportRecords(ctx, recs, dryRun)
}

// ImportRecords stores validated records (see ParseHouseholds) in one
// transaction; with dryRun it rolls back after counting.
func (s *Service) ImportRecords(ctx context.Context, recs []HouseholdRecord, dryRun bool) (ImportResult, error) {
	if err := s.needVault(); err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{Rows: len(recs), DryRun: dryRun}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return res, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE outreach_import (LIKE outreach_households INCLUDING DEFAULTS) ON COMMIT DROP`); err != nil {
		return res, fmt.Errorf("import: %w", err)
	}
	cols := []string{"household_id", "head_name_enc", "name_masked", "national_id_enc", "national_id_hash",
		"national_id_masked", "phone_enc", "phone_masked", "region", "area", "program", "enrolled_on",
		"next_review_on", "phaseout_ends_on", "pledge_signed_on", "extra_enc", "content_hash"}
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i >= len(recs) {
			return nil, nil
		}
		h := recs[i]
		i++
		var phoneEnc []byte
		if h.Phone != "" {
			phoneEnc = s.vault.Seal(h.Phone, "phone:"+h.HouseholdID)
		}
		// Extra columns are personal more often than not (a second phone,
		// an address, a bank account): sealed, never in clear.
		var extraEnc []byte
		if len(h.Extra) > 0 {
			b, _ := json.Marshal(h.Extra)
			extraEnc = s.vault.Seal(string(b), "extra:"+h.HouseholdID)
		}
		return []any{h.HouseholdID, s.vault.Seal(h.HeadName, "name:"+h.HouseholdID), pii.MaskName(h.HeadName),
			s.vault.Seal(h.NationalID, "national_id:"+h.HouseholdID), s.vault.LookupHash("national_id", h.NationalID),
			pii.MaskNationalID(h.NationalID), phoneEnc, maskPhoneOrEmpty(h.Phone), h.Region, h.Area, h.Program,
			h.EnrolledOn, h.NextReviewOn, h.PhaseoutEndsOn, h.PledgeSignedOn, extraEnc, s.contentHash(h)}, nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"outreach_import"}, cols, src); err != nil {
		return res, fmt.Errorf("import: copy: %w", err)
	}
	// Binding, opt-out and reachability belong to the household, not the
	// file: an update leaves them alone.
	rows, err := tx.Query(ctx, `
		INSERT INTO outreach_households AS h (household_id, head_name_enc, name_masked, national_id_enc,
			national_id_hash, national_id_masked, phone_enc, phone_masked, region, area, program, enrolled_on,
			next_review_on, phaseout_ends_on, pledge_signed_on, extra, extra_enc, content_hash)
		SELECT household_id, head_name_enc, name_masked, national_id_enc, national_id_hash, national_id_masked,
			phone_enc, phone_masked, region, area, program, enrolled_on, next_review_on, phaseout_ends_on,
			pledge_signed_on, '{}', extra_enc, content_hash
		FROM outreach_import
		ON CONFLICT (household_id) DO UPDATE SET
			head_name_enc = excluded.head_name_enc, name_masked = excluded.name_masked,
			national_id_enc = excluded.national_id_enc, national_id_hash = excluded.national_id_hash,
			national_id_masked = excluded.national_id_masked, phone_enc = excluded.phone_enc,
			phone_masked = excluded.phone_masked, region = excluded.region, area = excluded.area,
			program = excluded.program, enrolled_on = excluded.enrolled_on,
			next_review_on = excluded.next_review_on, phaseout_ends_on = excluded.phaseout_ends_on,
			-- a pledge signed through the bot is newer than the file's
			pledge_signed_on = greatest(h.pledge_signed_on, excluded.pledge_signed_on),
			extra = '{}', extra_enc = excluded.extra_enc, content_hash = excluded.content_hash, updated_at = now()
		-- an unchanged row is not written and returns nothing
		WHERE h.content_hash IS DISTINCT FROM excluded.content_hash
		RETURNING (xmax = 0)`)
	if err != nil {
		return res, fmt.Errorf("import: upsert: %w", err)
	}
	for rows.Next() {
		var inserted bool
		if err := rows.Scan(&inserted); err != nil {
			rows.Close()
			return res, err
		}
		if inserted {
			res.Inserted++
		} else {
			res.Updated++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("import: upsert: %w", err)
	}
	res.Unchanged = res.Rows - res.Inserted - res.Updated
	if res.SharedIDs, err = flagSharedIDs(ctx, tx, recs); err != nil {
		return res, err
	}
	if dryRun {
		return res, nil
	}
	return res, tx.Commit(ctx)
}

// contentHash fingerprints a record's plain content with the vault's keyed
// hash, so the fingerprint reveals nothing without the key.
func (s *Service) contentHash(h HouseholdRecord) string {
	b, _ := json.Marshal([]any{h.HouseholdID, h.HeadName, h.NationalID, h.Phone, h.Region, h.Area, h.Program,
		h.EnrolledOn.Format(time.DateOnly), h.NextReviewOn.Format(time.DateOnly), dateOrEmpty(h.PhaseoutEndsOn),
		dateOrEmpty(h.PledgeSignedOn), h.Extra})
	return s.vault.LookupHash("household", string(b))
}

func dateOrEmpty(d *time.Time) string {
	if d == nil {
		return ""
	}
	return d.Format(time.DateOnly)
}

func maskPhoneOrEmpty(p string) string {
	if p == "" {
		return ""
	}
	return pii.MaskPhone(p)
}

// flagSharedIDs sets id_shared on every household whose ID number hash
// another household has too (and clears it where that is no longer so),
// then lists the file's households so flagged, with the others.
func flagSharedIDs(ctx context.Context, tx pgx.Tx, recs []HouseholdRecord) ([]SharedID, error) {
	// One pass over the table: an import may also have changed the number
	// a flagged household shared, which unflags its former partner.
	if _, err := tx.Exec(ctx, `
		UPDATE outreach_households h SET id_shared = d.shared
		FROM (SELECT household_id, count(*) OVER (PARTITION BY national_id_hash) > 1 AS shared
		      FROM outreach_households) d
		WHERE d.household_id = h.household_id AND h.id_shared <> d.shared`); err != nil {
		return nil, fmt.Errorf("import: shared ID numbers: %w", err)
	}
	rows, err := tx.Query(ctx, `
		SELECT i.household_id, array_agg(o.household_id ORDER BY o.household_id)
		FROM outreach_import i
		JOIN outreach_households o ON o.national_id_hash = i.national_id_hash AND o.household_id <> i.household_id
		GROUP BY i.household_id ORDER BY i.household_id`)
	if err != nil {
		return nil, fmt.Errorf("import: shared ID numbers: %w", err)
	}
	line := make(map[string]int, len(recs))
	for _, r := range recs {
		line[r.HouseholdID] = r.Line
	}
	var out []SharedID
	for rows.Next() {
		var s SharedID
		if err := rows.Scan(&s.HouseholdID, &s.Others); err != nil {
			rows.Close()
			return nil, err
		}
		s.Line = line[s.HouseholdID]
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("import: shared ID numbers: %w", err)
	}
	return out, nil
}
