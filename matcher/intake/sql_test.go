package intake

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// sqlBackquotes turns ^ into a backquote, so that MySQL dumps fit in raw strings.
func sqlBackquotes(s string) string { return strings.ReplaceAll(s, "^", "`") }

// sqlWant is one expected row; at is the text where its tuple or line
// starts, which gives its line and offset.
type sqlWant struct {
	table  string
	names  []string
	values []string
	at     string
}

// sqlRowErr is one expected rejected row.
type sqlRowErr struct {
	reason Reason
	line   int64
}

type sqlResult struct {
	rows    []row
	rowErrs []*rowError
	err     error // the error that ended reading; nil for io.EOF
}

// readAllSQL reads src to the end, keeping copies of the rows.
func readAllSQL(t *testing.T, r io.Reader, d sqlDialect, lim Limits, most int) sqlResult {
	t.Helper()
	var res sqlResult
	rr := newSQLReader(r, d, lim)
	for range most {
		got, err := rr.next()
		var re *rowError
		switch {
		case err == nil:
			got.values = slices.Clone(got.values)
			res.rows = append(res.rows, got)
		case errors.As(err, &re):
			res.rowErrs = append(res.rowErrs, re)
		case errors.Is(err, io.EOF):
			return res
		default:
			res.err = err
			if _, again := rr.next(); !errors.Is(again, err) {
				t.Errorf("the error is not sticky: %v, then %v", err, again)
			}
			return res
		}
	}
	t.Fatalf("no end after %d results", most)
	return res
}

// sqlLineOf returns the 1-based line and the offset of the first occurrence of
// at in src.
func sqlLineOf(t *testing.T, src, at string) (int64, int64) {
	t.Helper()
	i := strings.Index(src, at)
	if i < 0 {
		t.Fatalf("test bug: %q is not in the dump", at)
	}
	return int64(strings.Count(src[:i], "\n") + 1), int64(i)
}

const mysqlDump = `-- MySQL dump 10.13  Distrib 8.0.32, for Linux (x86_64)
--
-- Host: localhost    Database: shop
-- ------------------------------------------------------
-- Server version	8.0.32

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!50503 SET NAMES utf8mb4 */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;

--
-- Table structure for table ^users^
--

DROP TABLE IF EXISTS ^users^;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
CREATE TABLE ^users^ (
  ^id^ int NOT NULL AUTO_INCREMENT,
  ^email^ varchar(255) NOT NULL DEFAULT '',
  ^name^ varchar(100) DEFAULT 'a,b (c); d',
  ^balance^ decimal(10,2) DEFAULT NULL,
  ^role^ enum('admin','user','it''s') DEFAULT 'user' COMMENT 'role, (kind)',
  ^created^ datetime DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (^id^),
  UNIQUE KEY ^email^ (^email^),
  KEY ^idx_name^ (^name^(10)),
  FULLTEXT KEY ^ft^ (^name^),
  CONSTRAINT ^fk_x^ FOREIGN KEY (^id^) REFERENCES ^x^ (^id^) ON DELETE CASCADE
) ENGINE=InnoDB AUTO_INCREMENT=4 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table ^users^
--

LOCK TABLES ^users^ WRITE;
/*!40000 ALTER TABLE ^users^ DISABLE KEYS */;
INSERT INTO ^users^ VALUES (1,'alice@example.com','O\'Brien',10.50,'admin','2021-01-01 00:00:00'),(2,'bob@example.com','back\\slash\nnew \"q\" \0\Z\t\r\b\%\_',-3.25e2,'user','2021-01-02 00:00:00'),
(3,'carol@example.com',NULL,0,'it''s',NULL);
/*!40000 ALTER TABLE ^users^ ENABLE KEYS */;
UNLOCK TABLES;
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;

-- Dump completed on 2023-03-01 12:00:00
`

const pgInsertDump = `--
-- PostgreSQL database dump
--

\restrict abc123

-- Dumped from database version 15.2
SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;

/* a block comment /* nested */ still a comment; */
CREATE FUNCTION public.audit() RETURNS trigger
    LANGUAGE plpgsql
    AS $_$
BEGIN
  INSERT INTO audit VALUES ('x'';y', $1);
  RETURN NEW;
END;
$_$;

CREATE FUNCTION public.f2() RETURNS text LANGUAGE sql AS $$ SELECT 'a;b' $$;

CREATE TABLE public.accounts (
    id integer NOT NULL,
    "Email" character varying(255),
    note text DEFAULT 'n/a, (x)'::text,
    key text,
    CONSTRAINT accounts_id_check CHECK ((id > 0))
);

ALTER TABLE public.accounts OWNER TO postgres;

INSERT INTO public.accounts VALUES (1, 'a@x.org', 'C:\path\to\', 'k1');
INSERT INTO public.accounts VALUES (2, 'b@x.org', E'tab\there\\ \'q\' \x41\101\u00e9', 'it''s');
INSERT INTO public.accounts (id, "Email", note, key) OVERRIDING SYSTEM VALUE VALUES (3, 'c@x.org', '2021-01-01'::date, NULL) ON CONFLICT (id) DO NOTHING;
INSERT INTO public.accounts VALUES (4, 'd@x.org', 'x'::character varying(10), '{a,b}'::text[]);
INSERT INTO public.accounts VALUES (5, $$dollar 'quoted'$$, '2021-01-01 10:00:00+00'::timestamp with time zone, '-');

\unrestrict abc123
`

const pgCopyDump = "--\n" +
	"-- PostgreSQL database dump\n" +
	"--\n" +
	"\n" +
	"CREATE TABLE public.users (id integer, email text, bio text);\n" +
	"\n" +
	"COPY public.users (id, email, bio) FROM stdin;\n" +
	"1\ta@x.org\tline1\\nline2\n" +
	"2\tb@x.org\t\\N\n" +
	"3\tc@x.org\ttab\\there back\\\\slash \\101\\x42 \\\\N\r\n" +
	"\\.\n" +
	"\n" +
	"COPY public.orphan FROM stdin;\n" +
	"x\t\ty\n" +
	"\n" +
	"\\.\n" +
	"SELECT pg_catalog.setval('public.users_id_seq', 3, true);\n"

func TestSQLReader(t *testing.T) {
	usersCols := []string{"id", "email", "name", "balance", "role", "created"}
	accCols := []string{"id", "Email", "note", "key"}
	tests := []struct {
		name    string
		d       sqlDialect
		lim     Limits
		src     string
		want    []sqlWant
		rowErrs []sqlRowErr
		fatal   []string // substrings of the error that ends reading; none: io.EOF
	}{
		{
			name: "mysqldump",
			src:  sqlBackquotes(mysqlDump),
			want: []sqlWant{
				{"users", usersCols, []string{"1", "alice@example.com", "O'Brien", "10.50", "admin", "2021-01-01 00:00:00"}, "(1,'alice"},
				{"users", usersCols, []string{"2", "bob@example.com", "back\\slash\nnew \"q\" \x00\x1a\t\r\b\\%\\_", "-3.25e2", "user", "2021-01-02 00:00:00"}, "(2,'bob"},
				{"users", usersCols, []string{"3", "carol@example.com", "", "0", "it's", ""}, "(3,'carol"},
			},
		},
		{
			name: "pg_dump inserts",
			d:    dialectPostgres,
			src:  pgInsertDump,
			want: []sqlWant{
				{"accounts", accCols, []string{"1", "a@x.org", `C:\path\to\`, "k1"}, "(1, 'a@x"},
				{"accounts", accCols, []string{"2", "b@x.org", "tab\there\\ 'q' AA\u00e9", "it's"}, "(2, 'b@x"},
				{"accounts", accCols, []string{"3", "c@x.org", "2021-01-01", ""}, "(3, 'c@x"},
				{"accounts", accCols, []string{"4", "d@x.org", "x", "{a,b}"}, "(4, 'd@x"},
				{"accounts", accCols, []string{"5", "dollar 'quoted'", "2021-01-01 10:00:00+00", "-"}, "(5, $$"},
			},
		},
		{
			name: "pg_dump copy",
			d:    dialectPostgres,
			src:  pgCopyDump,
			want: []sqlWant{
				{"users", []string{"id", "email", "bio"}, []string{"1", "a@x.org", "line1\nline2"}, "1\ta@x"},
				{"users", []string{"id", "email", "bio"}, []string{"2", "b@x.org", ""}, "2\tb@x"},
				{"users", []string{"id", "email", "bio"}, []string{"3", "c@x.org", "tab\there back\\slash AB \\N"}, "3\tc@x"},
				{"orphan", []string{"column_1", "column_2", "column_3"}, []string{"x", "", "y"}, "x\t\ty"},
				{"orphan", []string{"column_1", "column_2", "column_3"}, []string{""}, "\n\n\\.\nSELECT"},
			},
		},
		{
			name: "explicit column list",
			src:  sqlBackquotes("CREATE TABLE ^t^ (^z^ int, ^a^ text, ^b^ text);\nINSERT INTO ^db^.^t^ (^a^, ^b^) VALUES ('x','y'),\n('z','w');\n"),
			want: []sqlWant{
				{"t", []string{"a", "b"}, []string{"x", "y"}, "('x'"},
				{"t", []string{"a", "b"}, []string{"z", "w"}, "('z'"},
			},
		},
		{
			name: "no create table",
			src:  "INSERT INTO logins VALUES ('u1','p1'),('u2','p2','extra');\nINSERT INTO logins\n  VALUES\n  ('u3','p3');\n",
			want: []sqlWant{
				{"logins", []string{"column_1", "column_2"}, []string{"u1", "p1"}, "('u1'"},
				{"logins", []string{"column_1", "column_2"}, []string{"u2", "p2", "extra"}, "('u2'"},
				{"logins", []string{"column_1", "column_2"}, []string{"u3", "p3"}, "('u3'"},
			},
		},
		{
			name: "two tables",
			src: sqlBackquotes("CREATE TABLE IF NOT EXISTS ^a^ (^x^ int, ^y^ text) ENGINE=MyISAM;\n" +
				"CREATE TABLE b (c varchar(3) DEFAULT 'q,(');\n" +
				"INSERT INTO b VALUES ('b1');\n" +
				"INSERT INTO ^a^ VALUES (1,'one');\n" +
				"INSERT INTO b VALUES ('b2'),('b3');\n"),
			want: []sqlWant{
				{"b", []string{"c"}, []string{"b1"}, "('b1'"},
				{"a", []string{"x", "y"}, []string{"1", "one"}, "(1,'one'"},
				{"b", []string{"c"}, []string{"b2"}, "('b2'"},
				{"b", []string{"c"}, []string{"b3"}, "('b3'"},
			},
		},
		{
			name: "separators inside strings",
			src:  "INSERT INTO t (a,b) VALUES ('a;b','c),(d'),('e\\'),(','f\"),(\"'), (\"g');(\",'h');\n",
			want: []sqlWant{
				{"t", []string{"a", "b"}, []string{"a;b", "c),(d"}, "('a;b'"},
				{"t", []string{"a", "b"}, []string{"e'),(", "f\"),(\""}, "('e\\'"},
				{"t", []string{"a", "b"}, []string{"g');(", "h"}, "(\"g'"},
			},
		},
		{
			name: "mysql literals, clauses and statements",
			src: "INSERT IGNORE INTO t VALUES (0xDEAD, X'BEEF', b'101', NOW(), CONCAT('a', ')'), _utf8mb4'abc', _binary 'xyz', TRUE, FALSE, -1.5e-3, N'n', DEFAULT, 'c' COLLATE utf8mb4_bin);\n" +
				"REPLACE INTO t VALUES (1) ON DUPLICATE KEY UPDATE a=VALUES(a), b='x;y';\n" +
				"INSERT INTO t VALUES (2) AS new ON DUPLICATE KEY UPDATE a=new.a;\n" +
				"INSERT INTO t SELECT * FROM u WHERE v = 'VALUES (9)';\n" +
				"INSERT INTO t SET a = 1;\n" +
				"# a hash comment VALUES (8);\n" +
				"DELIMITER ;;\n" +
				"/*!50003 CREATE*/ /*!50003 TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN SET @x = 1; INSERT INTO log VALUES (7); END */;;\n" +
				"CREATE PROCEDURE p() BEGIN INSERT INTO log VALUES (6); END ;;\n" +
				"DELIMITER ;\n" +
				"INSERT INTO t VALUES ROW(3), ROW(4);\n",
			want: []sqlWant{
				{"t", []string{"column_1", "column_2", "column_3", "column_4", "column_5", "column_6", "column_7", "column_8", "column_9", "column_10", "column_11", "column_12", "column_13"},
					[]string{"0xDEAD", "X'BEEF'", "b'101'", "NOW()", "CONCAT('a', ')')", "abc", "xyz", "TRUE", "FALSE", "-1.5e-3", "n", "", "c"}, "(0xDEAD"},
				{"t", nil, []string{"1"}, "(1)"},
				{"t", nil, []string{"2"}, "(2)"},
				{"t", nil, []string{"3"}, "(3)"},
				{"t", nil, []string{"4"}, "(4)"},
			},
		},
		{
			name: "sqlite dump",
			d:    dialectPostgres,
			src: "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE IF NOT EXISTS \"users\"(id INTEGER PRIMARY KEY, [full name] TEXT, pw TEXT);\n" +
				"INSERT INTO users VALUES(1,'Jo \\ Doe','x''y');\nCOMMIT;\n",
			want: []sqlWant{
				{"users", []string{"id", "full name", "pw"}, []string{"1", "Jo \\ Doe", "x'y"}, "(1,'Jo"},
			},
		},
		{
			name: "bad tuple resyncs",
			src:  "INSERT INTO t (a,b) VALUES (1,'a'),(2, foo bar),(3,'c'),(4,'d') junk,(5,'e'),();\nINSERT INTO t (a,b) VALUES (6,'f');\n",
			want: []sqlWant{
				{"t", []string{"a", "b"}, []string{"1", "a"}, "(1,"},
				{"t", []string{"a", "b"}, []string{"3", "c"}, "(3,"},
				{"t", []string{"a", "b"}, []string{"4", "d"}, "(4,"},
				{"t", []string{"a", "b"}, []string{"5", "e"}, "(5,"},
				{"t", []string{"a", "b"}, []string{"6", "f"}, "(6,"},
			},
			rowErrs: []sqlRowErr{{ReasonSQLSyntax, 1}, {ReasonSQLSyntax, 1}, {ReasonEmpty, 1}},
		},
		{
			name: "copy csv skipped",
			d:    dialectPostgres,
			src:  "COPY t (a) FROM stdin WITH (FORMAT csv);\n\"x\"\n\\.\nCOPY t (a) FROM stdin;\ny\n\\.\n",
			want: []sqlWant{
				{"t", []string{"a"}, []string{"y"}, "y\n"},
			},
			rowErrs: []sqlRowErr{{ReasonSQLSyntax, 1}},
		},
		{
			name: "truncated in a string",
			src:  "INSERT INTO t VALUES (1,'a'),(2,'b');\nINSERT INTO t VALUES (3,'c'),(4,'unterminated\nmore text\n",
			want: []sqlWant{
				{"t", nil, []string{"1", "a"}, "(1,"},
				{"t", nil, []string{"2", "b"}, "(2,"},
				{"t", nil, []string{"3", "c"}, "(3,"},
			},
			fatal: []string{"line 4 ", "ends inside a quoted string that began on line 2", "get the complete dump"},
		},
		{
			name:  "truncated between values",
			src:   "INSERT INTO t VALUES (1,'a'),\n(2,",
			want:  []sqlWant{{"t", nil, []string{"1", "a"}, "(1,"}},
			fatal: []string{"ends inside an INSERT statement that began on line 1", "truncated"},
		},
		{
			name:  "truncated copy",
			d:     dialectPostgres,
			src:   "COPY t (a, b) FROM stdin;\n1\tx\n2\ty",
			want:  []sqlWant{{"t", []string{"a", "b"}, []string{"1", "x"}, "1\t"}},
			fatal: []string{"ends inside COPY data that began on line 2", "truncated"},
		},
		{
			name:  "truncated statement",
			src:   "SET NAMES utf8;\nDROP TABLE IF EXISTS x",
			fatal: []string{"ends inside a statement that began on line 2"},
		},
		{
			name:  "truncated comment",
			src:   "/*!40101 SET NAMES utf8 ",
			fatal: []string{"ends inside a comment that began on line 1"},
		},
		{
			name:  "value longer than the limit",
			lim:   Limits{MaxRecordBytes: 1024},
			src:   "INSERT INTO t VALUES ('short'),('" + strings.Repeat("x", 5000) + "'),('after');\n",
			want:  []sqlWant{{"t", nil, []string{"short"}, "('short"}},
			fatal: []string{"line 1 (byte 31)", "longer than 1024 bytes", "record too long"},
		},
		{
			name:  "copy line longer than the limit",
			d:     dialectPostgres,
			lim:   Limits{MaxRecordBytes: 1024},
			src:   "COPY t (a) FROM stdin;\nok\n" + strings.Repeat("y", 5000) + "\n\\.\n",
			want:  []sqlWant{{"t", []string{"a"}, []string{"ok"}, "ok"}},
			fatal: []string{"line 3", "COPY line longer than 1024 bytes"},
		},
		{
			name:    "too many values",
			lim:     Limits{MaxColumns: 3},
			src:     "INSERT INTO t VALUES (1,2,3,4,5),(6);\n",
			want:    []sqlWant{{"t", []string{"column_1"}, []string{"6"}, "(6)"}},
			rowErrs: []sqlRowErr{{ReasonTooManyCols, 1}},
		},
		{
			name:  "too many columns",
			lim:   Limits{MaxColumns: 3},
			src:   "CREATE TABLE t (a int, b int, c int, d int);\n",
			fatal: []string{"more than 3 columns"},
		},
		{
			name:  "NUL junk",
			src:   "CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\n\x00\x01\x02\xffjunk;\n",
			want:  []sqlWant{{"t", []string{"a"}, []string{"1"}, "(1)"}},
			fatal: []string{"line 3 (byte 50)", "binary data", "at byte 50"},
		},
		{
			name:  "junk inside a statement",
			src:   "SET x = 1\x00;\n",
			fatal: []string{"line 1 (byte 9)", "binary data"},
		},
		{
			name:  "empty",
			src:   "",
			fatal: nil,
		},
		{
			name: "bom and missing final semicolon",
			src:  "\ufeffINSERT INTO t VALUES (1)",
			want: []sqlWant{{"t", nil, []string{"1"}, "(1)"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := readAllSQL(t, strings.NewReader(tt.src), tt.d, tt.lim, 1000)
			if len(tt.fatal) == 0 && res.err != nil {
				t.Fatalf("unexpected error: %v", res.err)
			}
			if len(tt.fatal) > 0 {
				var se *syntaxError
				if !errors.As(res.err, &se) {
					t.Fatalf("error %v (%T), want a *syntaxError", res.err, res.err)
				}
				if strings.Contains(se.msg, "longer than") != errors.Is(se, errLineTooLong) {
					t.Errorf("error %v: errors.Is(errLineTooLong) = %v", se, errors.Is(se, errLineTooLong))
				}
				for _, f := range tt.fatal {
					if !strings.Contains(se.Error(), f) {
						t.Errorf("error %q does not say %q", se.Error(), f)
					}
				}
			}
			if len(res.rows) != len(tt.want) {
				for _, r := range res.rows {
					t.Logf("got %s %q %q line %d", r.table, r.names, r.values, r.line)
				}
				t.Fatalf("got %d rows, want %d", len(res.rows), len(tt.want))
			}
			for i, w := range tt.want {
				g := res.rows[i]
				line, off := sqlLineOf(t, tt.src, w.at)
				if w.at == "\n\n\\.\nSELECT" { // an empty line starts after the newline
					line, off = line+1, off+1
				}
				if g.table != w.table {
					t.Errorf("row %d: table %q, want %q", i, g.table, w.table)
				}
				if w.names != nil && !slices.Equal(g.names, w.names) {
					t.Errorf("row %d: names %q, want %q", i, g.names, w.names)
				}
				if len(g.names) == 0 {
					t.Errorf("row %d: no names", i)
				}
				if !slices.Equal(g.values, w.values) {
					t.Errorf("row %d: values %q, want %q", i, g.values, w.values)
				}
				if g.line != line || g.offset != off {
					t.Errorf("row %d: at line %d byte %d, want line %d byte %d", i, g.line, g.offset, line, off)
				}
			}
			if len(res.rowErrs) != len(tt.rowErrs) {
				t.Fatalf("got row errors %v, want %v", res.rowErrs, tt.rowErrs)
			}
			for i, w := range tt.rowErrs {
				if g := res.rowErrs[i]; g.reason != w.reason || g.line != w.line {
					t.Errorf("row error %d: %v, want %s on line %d", i, g, w.reason, w.line)
				}
			}
		})
	}
}

// TestSQLNamesShared checks that the rows of one table and column list
// share one names slice, across tuples and statements.
func TestSQLNamesShared(t *testing.T) {
	src := sqlBackquotes("CREATE TABLE ^u^ (^a^ int, ^b^ int);\n" +
		"INSERT INTO ^u^ VALUES (1,2),(3,4);\n" +
		"INSERT INTO ^u^ (^a^, ^b^) VALUES (5,6);\n" +
		"INSERT INTO ^u^ (^b^) VALUES (7);\n" +
		"INSERT INTO ^u^ (^b^) VALUES (8);\n" +
		"INSERT INTO ^v^ VALUES (9),(10);\n" +
		"INSERT INTO ^v^ VALUES (11);\n")
	res := readAllSQL(t, strings.NewReader(src), dialectMySQL, Limits{}, 100)
	if res.err != nil || len(res.rows) != 8 {
		t.Fatalf("got %d rows, error %v", len(res.rows), res.err)
	}
	same := func(i, j int) bool { return &res.rows[i].names[0] == &res.rows[j].names[0] }
	for _, p := range [][2]int{{0, 1}, {1, 2}, {3, 4}, {5, 6}, {6, 7}} {
		if !same(p[0], p[1]) {
			t.Errorf("rows %d and %d do not share their names", p[0], p[1])
		}
	}
	if same(2, 3) {
		t.Errorf("different column lists share their names")
	}
}

// sqlTupleStream is an endless INSERT: its tuples never end.
type sqlTupleStream struct {
	head string
	n    int
	buf  []byte
}

func (s *sqlTupleStream) Read(p []byte) (int, error) {
	if len(s.buf) == 0 {
		if s.head != "" {
			s.buf, s.head = []byte(s.head), ""
		} else {
			s.n++
			s.buf = append(s.buf, "('user"...)
			s.buf = append(s.buf, []byte(strings.Repeat("x", s.n%7))...)
			s.buf = append(s.buf, "@example.com','secret'),\n"...)
		}
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// TestSQLStreams reads tuples out of a single INSERT that never ends: a
// reader that held the statement would never return.
func TestSQLStreams(t *testing.T) {
	rr := newSQLReader(&sqlTupleStream{head: "INSERT INTO `u` (`email`, `pw`) VALUES\n"}, dialectMySQL, Limits{MaxRecordBytes: 1024})
	const n = 200000
	for i := 1; i <= n; i++ {
		r, err := rr.next()
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if r.line != int64(i+1) || len(r.values) != 2 || r.values[1] != "secret" {
			t.Fatalf("row %d: line %d values %q", i, r.line, r.values)
		}
	}
}

// sqlEndless is an endless run of one byte after a head.
type sqlEndless struct {
	head string
	b    byte
}

func (e *sqlEndless) Read(p []byte) (int, error) {
	n := copy(p, e.head)
	e.head = e.head[n:]
	for i := n; i < len(p); i++ {
		p[i] = e.b
	}
	return len(p), nil
}

// TestSQLEndlessValue feeds a quoted string that never ends: reading must
// stop at the record limit.
func TestSQLEndlessValue(t *testing.T) {
	for _, head := range []string{"INSERT INTO t VALUES ('", "INSERT INTO t VALUES (", "COPY t FROM stdin;\n"} {
		rr := newSQLReader(&sqlEndless{head: head, b: 'a'}, dialectPostgres, Limits{MaxRecordBytes: 1024})
		_, err := rr.next()
		var se *syntaxError
		if !errors.As(err, &se) || !strings.Contains(se.msg, "longer than 1024 bytes") || !errors.Is(err, errLineTooLong) {
			t.Errorf("%q: error %v, want a record too long", head, err)
		}
	}
}

type sqlFailingReader struct{ err error }

func (f sqlFailingReader) Read([]byte) (int, error) { return 0, f.err }

func TestSQLReadError(t *testing.T) {
	boom := errors.New("boom")
	rr := newSQLReader(io.MultiReader(strings.NewReader("INSERT INTO t VALUES (1),"), sqlFailingReader{boom}), dialectMySQL, Limits{})
	if _, err := rr.next(); err != nil {
		t.Fatalf("first row: %v", err)
	}
	if _, err := rr.next(); !errors.Is(err, boom) {
		t.Fatalf("error %v, want the read error", err)
	}
}

func TestSniffSQL(t *testing.T) {
	tests := []struct {
		name string
		head string
		ok   bool
		d    sqlDialect
	}{
		{"mysqldump", sqlBackquotes(mysqlDump), true, dialectMySQL},
		{"mysqldump head cut", sqlBackquotes(mysqlDump[:300]), true, dialectMySQL},
		{"pg_dump", pgInsertDump, true, dialectPostgres},
		{"pg_dump copy", pgCopyDump, true, dialectPostgres},
		{"bare copy", "COPY public.t (a) FROM stdin;\n1\n\\.\n", true, dialectPostgres},
		{"plain insert", "INSERT INTO users VALUES (1,'a');", true, dialectMySQL},
		{"quoted create", "CREATE TABLE \"users\" (\"id\" integer);", true, dialectPostgres},
		{"cast", "insert into t values (1, '2021-01-01'::date);", true, dialectPostgres},
		{"cast in string", "INSERT INTO t VALUES ('x::y');", true, dialectMySQL},
		{"mysql double quoted values", "INSERT INTO t VALUES (\"a\", \"b\");", true, dialectMySQL},
		{"comments then statements", "-- my dump\nSET NAMES utf8;\nDROP TABLE IF EXISTS `a`;", true, dialectMySQL},
		{"conditional comments", "/*!40101 SET NAMES utf8 */;\nLOCK TABLES `t` WRITE;", true, dialectMySQL},
		{"phpmyadmin", "-- phpMyAdmin SQL Dump\n-- version 5.2.0\n", true, dialectMySQL},
		{"sqlite", "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE users(id INTEGER, name TEXT);\nINSERT INTO users VALUES(1,'a');\n", true, dialectPostgres},
		{"bom", "\ufeffCREATE TABLE `t` (`a` int);", true, dialectMySQL},
		{"csv", "email,password\nfoo@x.org,INSERT INTO x VALUES (1);\n", false, dialectMySQL},
		{"json", `{"sql": "INSERT INTO t VALUES (1)"}`, false, dialectMySQL},
		{"prose", "Create table of contents for the book; insert into the index.", false, dialectMySQL},
		{"combo", "user@x.org:pass\nuser2@x.org:pass2\n", false, dialectMySQL},
		{"comment then prose", "-- notes\nhello world\n", false, dialectMySQL},
		{"lone set", "SET x = 1;", false, dialectMySQL},
		{"empty", "", false, dialectMySQL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, d := sniffSQL([]byte(tt.head))
			if ok != tt.ok || (ok && d != tt.d) {
				t.Errorf("sniffSQL = %v, %v; want %v, %v", ok, d, tt.ok, tt.d)
			}
		})
	}
}

// sqlFuzzSeeds are small dumps of each kind, also in testdata/fuzz/FuzzSQL.
var sqlFuzzSeeds = []string{
	sqlBackquotes(mysqlDump),
	pgInsertDump,
	pgCopyDump,
	"INSERT INTO t (a,b) VALUES (1,'a'),(2, foo bar),(3,'c'),();\n",
	"INSERT INTO t VALUES (0xDEAD, X'BEEF', NOW(), _binary 'x', '1'::date, E'\\x41');\n",
	"DELIMITER ;;\nCREATE PROCEDURE p() BEGIN SELECT 1; END ;;\nDELIMITER ;\nINSERT INTO t VALUES (1);\n",
	"CREATE FUNCTION f() RETURNS int AS $x$ SELECT ';' $x$ LANGUAGE sql;\nCOPY t FROM stdin;\na\\tb\t\\N\n\\.\n",
	"INSERT INTO t VALUES ('unterminated",
}

func FuzzSQL(f *testing.F) {
	for _, s := range sqlFuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sniffSQL(data)
		for _, d := range []sqlDialect{dialectMySQL, dialectPostgres} {
			rr := newSQLReader(bytes.NewReader(data), d, Limits{MaxRecordBytes: 4096})
			// Every result consumes at least one byte.
			for i := 0; ; i++ {
				if i > len(data)+1 {
					t.Fatalf("%v: more than %d results from %d bytes", d, i, len(data))
				}
				r, err := rr.next()
				if err == nil {
					if len(r.names) == 0 || len(r.values) == 0 {
						t.Fatalf("%v: row with %d names and %d values", d, len(r.names), len(r.values))
					}
					if r.line < 1 || r.offset < 0 || r.offset >= int64(len(data)) {
						t.Fatalf("%v: row at line %d byte %d of %d", d, r.line, r.offset, len(data))
					}
					continue
				}
				var re *rowError
				if errors.As(err, &re) {
					continue
				}
				var se *syntaxError
				if !errors.Is(err, io.EOF) && !errors.As(err, &se) {
					t.Fatalf("%v: error of type %T: %v", d, err, err)
				}
				if _, again := rr.next(); !errors.Is(again, err) {
					t.Fatalf("%v: error not sticky: %v then %v", d, err, again)
				}
				break
			}
		}
	})
}
