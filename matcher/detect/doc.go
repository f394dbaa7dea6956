// Package detect finds fabricated records in a leak sample: the "is it
// real at all?" evidence behind a FAKE verdict with basis fabricated, and
// behind the fabricated part of a MIXED one.
//
// Genuine data must never be called fabricated, so every detector states
// its minimum n (it abstains below it, Flagged false, Note saying so),
// decides on a statistic with a stated threshold, and carries its own
// positives and negatives in its tests (gitleaks rules style). A Result
// holds counts and statistics only, never a record or value.
//
// # Detectors
//
// structure (decisive; min n 20 checkable records). Hard impossibilities:
// a MyKad or NIK that does not parse, a birth-date column after Now or
// before 1900, the MyKad gender digit (odd = male) or the NIK day+40 against
// the gender column, the ID's birth date against the birth-date column
// (allowing a day/month swap and a one-day shift, which genuine exports
// produce), a birth after the "registered" date. The place-of-birth code is
// not compared with the state column: people move. A gender column that
// contradicts more than 80% of the IDs is taken as coded the other way
// round and not counted. Statistic: impossible k/n with its 95% Wilson
// interval; flagged when the lower bound exceeds 2% (GenuineErrorRate: the
// world's genuine samples hold 0 impossible records; real registers hold a
// few typing errors). Share is the estimated fabricated share: the raw
// share, or a check's failure rate divided by the chance that a fabricated
// record fails it (½ for gender, whose independent draw matches half the
// time).
//
// faker_mykad (decisive; min n 50 valid MyKads). Python Faker's ms_MY
// ssn() draws the state of birth uniformly over 16 states and territories
// (then any of that state's codes; older fabricators only the 01-16 one),
// never a foreign code, ages uniform 18-90, and characters 10-11 of the
// number as random_int(10, 99), so the 10th is never 0. Decision: a
// chi-square goodness-of-fit test of the states of birth against census
// 2020 population shares (smallest states pooled to an expected count ≥ 1)
// rejects with p < 1e-6, AND a chi-square test against the uniform
// 16-state spread does not reject (p ≥ 1e-3), AND foreign codes are under
// 5%. The Kolmogorov–Smirnov test of ages against uniform(18, 90), the
// serial digit and the share of codes 21-59 are reported, not decided on.
// Share is the maximum-likelihood share of Faker-drawn records in a
// uniform/census mixture. Codes 21-59 map to states through
// normalize.StateOfPlaceCode; they are carried mostly by people born
// before the 1990s.
//
// too_clean (supporting only; min n 50). Five signs of data tidier than a
// register: every field (≥ 5) filled in every record; ≥ 95% of e-mails
// made of the record's name tokens plus digits; an ID column counting up
// by a constant step in ≥ 90% of rows; fewer distinct names than half the
// names (n ≥ 100); salaries consistent with a uniform spread between their
// minimum and maximum (K-S p ≥ 0.05). Flagged on two signs or more. Each
// sign alone occurs in genuine data (a mandatory e-mail, an auto-increment
// column in insertion order), so it never decides a verdict.
//
// aggregation (supporting only; min n 50). Samples stitched from several
// sources: 20-80% of phones not of the claimed country, MyKads and NIKs
// mixed in the same bounds, or e-mails spread evenly (chi-square against
// an even spread p ≥ 0.01) over ≥ 6 domains (n ≥ 100 e-mails), where real
// mail is dominated by one or two free providers. Conservative; never
// decides.
//
// # Decision rule
//
// Fabricated(results) says a sample is dominated by fabricated records
// when a decisive detector (structure or faker_mykad) is flagged with a
// Share of at least 0.5. faker_mykad is only flagged when the whole
// sample is consistent with Faker's uniform state spread, so its flag is
// a whole-sample finding; a half-fabricated sample is not uniform and is
// left to the matcher's match rate (MIXED). too_clean and aggregation add
// reasons but never decide.
//
// PerRecord marks the records with a structure impossibility; statistical
// signs say nothing about one record (a genuine person can be born in
// Putrajaya), so a fabricated record that is structurally perfect is not
// marked.
//
// # Measured rates (go test -v, Now pinned to 2026-11-01)
//
// False positives on genuine data: random and contiguous subsets of the
// world's exports (worlds of 5,000 people, seeds 1-5; perkeso at
// 2021/2023/2025-12-31, kwsp at 2022/2025-12-31), 50 samples at each of
// n = 30, 100, 400 and 2,000: 0 dominated, and 0 flags from every
// detector. The genuine sample families (current_reformatted,
// name_variants, old_snapshot, other_org, padding, newer_records, too_few
// and any later genuine family, 5 seeds): 0 dominated, 0 flags, PerRecord
// marks no record. faker_mykad alone on 5,000 further genuine subsets of
// 50 and of 100: 0 flagged; the smallest census-test p among genuine
// subsets of 50 that pass the uniformity condition was 6e-5, against the
// 1e-6 threshold.
//
// True positives: the world's fabricated family (400 rows, 5 seeds):
// dominated in 5 of 5 (faker_mykad share 1.00, p < 1e-170; too_clean
// flagged too). Faker ms_MY MyKads alone: n = 100, 400, 2,000 dominated in
// 20 of 20 each (both code variants); n = 50 flagged in 151 of 200; n = 30
// abstains (below min n). Faker records with independent gender and
// birth-date columns: dominated at every n from 30 (structure).
//
// Mixed: the world's mixed family (250 real + 250 fabricated): PerRecord
// marks 0 of the real half and 0 of the fabricated half (its fabricated
// rows are structurally perfect MyKads with no gender or birth-date
// column; the matcher finds them by their not matching anyone);
// faker_mykad estimates the fabricated share at 0.38-0.52 and is not
// flagged, so the sample is not dominated. 250 real + 250 Faker rows with
// gender and birth-date columns: PerRecord marks 0 of 250 real and 250 of
// 250 fabricated.
package detect
