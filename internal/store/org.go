package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Org is an organisation that owns sources.
type Org struct {
	ID         string   // slug: ^[a-z0-9][a-z0-9_-]{0,62}$ e.g. "perkeso"
	Name       string   // "Pertubuhan Keselamatan Sosial"
	Aliases    []string // "Socso", "PERKESO"
	Population int64    // 0 = unknown
	Country    string   // "MY" | "ID" | other ISO alpha-2, "" unknown
	Sector     string
	CreatedAt  time.Time
}

func (o Org) validate() (Org, error) {
	if err := checkSlug("org id", o.ID); err != nil {
		return o, err
	}
	var err error
	if o.Name, err = cleanText(fmt.Sprintf("org %s: name", o.ID), o.Name, true); err != nil {
		return o, err
	}
	if fold(o.Name) == "" {
		return o, invalid("org %s: name %q has no letter or digit", o.ID, o.Name)
	}
	aliases := make([]string, 0, len(o.Aliases))
	for _, a := range o.Aliases {
		a, err := cleanText(fmt.Sprintf("org %s: alias", o.ID), a, true)
		if err != nil {
			return o, err
		}
		if fold(a) == "" {
			return o, invalid("org %s: alias %q has no letter or digit", o.ID, a)
		}
		aliases = append(aliases, a)
	}
	o.Aliases = aliases
	if o.Population < 0 {
		return o, invalid("org %s: population %d is negative: give the number of people whose records it holds, or 0 if unknown", o.ID, o.Population)
	}
	if o.Country != "" && !alpha2.MatchString(o.Country) {
		return o, invalid("org %s: country %q: give an ISO 3166-1 alpha-2 code in capitals (\"MY\", \"ID\"), or leave it empty if unknown", o.ID, o.Country)
	}
	if o.Sector, err = cleanText(fmt.Sprintf("org %s: sector", o.ID), o.Sector, false); err != nil {
		return o, err
	}
	return o, nil
}

type orgName struct{ folded, text, kind string }

// names lists o's folded id, name and aliases, each folded form once.
func (o Org) names() []orgName {
	var out []orgName
	seen := map[string]bool{}
	add := func(text, kind string) {
		if f := fold(text); !seen[f] {
			seen[f] = true
			out = append(out, orgName{f, text, kind})
		}
	}
	add(o.ID, "id")
	add(o.Name, "name")
	for _, a := range o.Aliases {
		add(a, "alias")
	}
	return out
}

// AddOrg registers o. It returns ErrExists when o's id, name or any alias
// clashes, after folding (case, punctuation, spaces), with another org's id,
// name or alias. A zero CreatedAt is set to now.
func (s *Store) AddOrg(ctx context.Context, o Org) error {
	o, err := o.validate()
	if err != nil {
		return err
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = s.now()
	}
	aliases, err := json.Marshal(o.Aliases)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	names := o.names()
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, n := range names {
			var org, text, kind string
			err := tx.QueryRowContext(ctx, `SELECT org, text, kind FROM org_names WHERE folded = ?`, n.folded).Scan(&org, &text, &kind)
			if err == nil {
				return fmt.Errorf("store: org %s: %w: its %s %q is the same name as org %s's %s %q (names are compared ignoring case, spaces and punctuation)",
					o.ID, ErrExists, n.kind, n.text, org, kind, text)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: add org %s: %w", o.ID, err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO orgs (id, name, aliases, population, country, sector, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`, o.ID, o.Name, string(aliases), o.Population, o.Country, o.Sector, formatTime(o.CreatedAt))
		if err != nil {
			if isUnique(err) {
				return fmt.Errorf("store: org %s: %w", o.ID, ErrExists)
			}
			return fmt.Errorf("store: add org %s: %w", o.ID, err)
		}
		for _, n := range names {
			_, err := tx.ExecContext(ctx, `INSERT INTO org_names (folded, org, text, kind) VALUES (?, ?, ?, ?)`,
				n.folded, o.ID, n.text, n.kind)
			if err != nil {
				if isUnique(err) {
					return fmt.Errorf("store: org %s: %w: %s %q", o.ID, ErrExists, n.kind, n.text)
				}
				return fmt.Errorf("store: add org %s: %w", o.ID, err)
			}
		}
		return nil
	})
}

const orgColumns = `o.id, o.name, o.aliases, o.population, o.country, o.sector, o.created_at`

func scanOrg(sc interface{ Scan(...any) error }) (Org, error) {
	var o Org
	var aliases, created string
	if err := sc.Scan(&o.ID, &o.Name, &aliases, &o.Population, &o.Country, &o.Sector, &created); err != nil {
		return Org{}, err
	}
	if err := json.Unmarshal([]byte(aliases), &o.Aliases); err != nil {
		return Org{}, fmt.Errorf("store: org %s: bad aliases in database: %w", o.ID, err)
	}
	var err error
	if o.CreatedAt, err = parseTime(created); err != nil {
		return Org{}, err
	}
	return o, nil
}

// Org finds an org by id, name or alias, ignoring case, spaces and
// punctuation: "PERKESO", "perkeso" and "Perkeso" find the same org.
func (s *Store) Org(ctx context.Context, nameOrAlias string) (Org, error) {
	f := fold(nameOrAlias)
	if f == "" {
		return Org{}, invalid("org name %q has no letter or digit", nameOrAlias)
	}
	row := s.db.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM org_names n JOIN orgs o ON o.id = n.org WHERE n.folded = ?`, f)
	o, err := scanOrg(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Org{}, fmt.Errorf("store: org %q: %w: no org has that id, name or alias", nameOrAlias, ErrNotFound)
	}
	if err != nil {
		return Org{}, fmt.Errorf("store: org %q: %w", nameOrAlias, err)
	}
	return o, nil
}

// Orgs lists all orgs sorted by id.
func (s *Store) Orgs(ctx context.Context) ([]Org, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+orgColumns+` FROM orgs o ORDER BY o.id`)
	if err != nil {
		return nil, fmt.Errorf("store: list orgs: %w", err)
	}
	defer rows.Close()
	orgs := []Org{}
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list orgs: %w", err)
		}
		orgs = append(orgs, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list orgs: %w", err)
	}
	return orgs, nil
}
