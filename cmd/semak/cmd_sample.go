package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/semak/semak/matcher/intake"
	"github.com/semak/semak/matcher/record"
)

// inspectOptions are the flags of `semak sample inspect`.
type inspectOptions struct {
	File   string
	Map    []string
	JSON   bool
	Region string

	overrides []intake.Override
}

// Validate checks the flags and parses the --map overrides.
func (o *inspectOptions) Validate() error {
	if o.File == "" {
		return errors.New("sample inspect: give the sample file to inspect")
	}
	var err error
	if o.overrides, err = parseOverrides(o.Map); err != nil {
		return err
	}
	if o.Region != "" && len(o.Region) != 2 {
		return fmt.Errorf("--region %q: want a two-letter country code such as MY or ID", o.Region)
	}
	return nil
}

func newSampleCmd(_ *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sample",
		Short: "Read leak samples",
	}
	cmd.AddCommand(newSampleInspectCmd())
	return cmd
}

func newSampleInspectCmd() *cobra.Command {
	o := &inspectOptions{}
	cmd := &cobra.Command{
		Use:   "inspect FILE|-",
		Short: "Show how a sample is read: format, encoding, column mapping, row counts and a masked preview",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			if err := o.Validate(); err != nil {
				return err
			}
			opts := intake.Options{Map: o.overrides, Region: strings.ToUpper(o.Region)}
			var rep *intake.Report
			var err error
			if o.File == "-" {
				rep, err = intake.ReadStream(cmd.Context(), "stdin", cmd.InOrStdin(), opts, nil)
			} else {
				rep, err = intake.ReadFile(cmd.Context(), o.File, opts, nil)
			}
			if err != nil {
				return err
			}
			if o.JSON {
				return writeInspectJSON(cmd.OutOrStdout(), rep)
			}
			return writeInspectText(cmd.OutOrStdout(), rep)
		},
	}
	cmd.Flags().StringArrayVar(&o.Map, "map", nil, "map a column to a field, COLUMN=FIELD (COLUMN by name or 1-based position; FIELD - drops it); repeatable")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the inspection as one JSON object")
	cmd.Flags().StringVar(&o.Region, "region", "", "country of phone numbers written without a country code (MY, ID, …); default: decided from the sample, MY when it does not say")
	return cmd
}

// inspectJSON is the JSON of `sample inspect --json`: the report, with the
// preview masked.
type inspectJSON struct {
	*intake.Report
	Preview []previewRow `json:"preview"`
}

type previewRow struct {
	Part   string            `json:"part,omitempty"`
	Line   int64             `json:"line"`
	Fields map[string]string `json:"fields"`
}

func maskedPreview(rep *intake.Report) []previewRow {
	out := make([]previewRow, 0, len(rep.Preview))
	for _, r := range rep.Preview {
		p := previewRow{Part: r.Part, Line: r.Line, Fields: map[string]string{}}
		for _, a := range r.Masked() {
			p.Fields[a.Name] = a.Value
		}
		out = append(out, p)
	}
	return out
}

func writeInspectJSON(w io.Writer, rep *intake.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(inspectJSON{Report: rep, Preview: maskedPreview(rep)})
}

func writeInspectText(out io.Writer, rep *intake.Report) error {
	w := &errWriter{w: out}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "sample\t%s\n", rep.File)
	fmt.Fprintf(tw, "size\t%d bytes\n", rep.Size)
	fmt.Fprintf(tw, "sha256\t%s\n", rep.SHA256)
	for _, p := range rep.Parts {
		fmt.Fprintf(tw, "part\t%s\n", describePart(p))
	}
	_ = tw.Flush() // errors surface through w.err
	for _, p := range rep.Parts {
		if len(rep.Parts) > 1 || p.Name != "" {
			fmt.Fprintf(w, "\ncolumns of %s\n", orFile(p.Name))
		} else {
			fmt.Fprintf(w, "\ncolumns\n")
		}
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "  COLUMN\tFIELD\tHOW\tVALID\tINVALID\tWHY\n")
		for _, c := range p.Columns {
			name := c.Name
			if c.Table != "" {
				name = c.Table + "." + c.Name
			}
			field := string(c.Field)
			if c.How == intake.HowSkipped {
				field = "-"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\t%s\n", name, field, c.How, c.Valid, invalidText(c), c.Why)
		}
		_ = tw.Flush()
	}
	var rejected int64
	for _, n := range rep.Rejected {
		rejected += n
	}
	unique := fmt.Sprint(rep.Unique)
	if !rep.UniqueExact {
		unique = "at least " + unique
	}
	fmt.Fprintf(w, "\nrows    parsed %d, usable %d, unique %s, rejected %d\n", rep.Rows, rep.Usable, unique, rejected)
	reasons := make([]string, 0, len(rep.Rejected))
	for r := range rep.Rejected {
		reasons = append(reasons, string(r))
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		lines := rep.RejectLines[intake.Reason(r)]
		fmt.Fprintf(w, "  rejected %s: %d (lines %s)\n", r, rep.Rejected[intake.Reason(r)], joinInts(lines, rep.Rejected[intake.Reason(r)]))
	}
	fmt.Fprintf(w, "\npreview (masked, first %d usable rows)\n", len(rep.Preview))
	for _, r := range rep.Preview {
		fmt.Fprintf(w, "  line %d  %s\n", r.Line, maskedLine(r))
	}
	return w.err
}

// errWriter keeps the first write error, so a report of many prints is
// checked once (a closed pipe, a full disk).
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func orFile(name string) string {
	if name == "" {
		return "the file"
	}
	return name
}

func describePart(p *intake.Part) string {
	var b strings.Builder
	if p.Name != "" {
		fmt.Fprintf(&b, "%s: ", p.Name)
	}
	if p.Container != "" {
		fmt.Fprintf(&b, "%s, ", p.Container)
	}
	fmt.Fprintf(&b, "%s, %s", p.Encoding, p.Format)
	switch {
	case p.Format == intake.FormatDelimited:
		fmt.Fprintf(&b, ", delimiter %s", delimName(p.Delimiter))
		if p.Header != nil && *p.Header {
			b.WriteString(", header row")
		} else {
			b.WriteString(", no header row")
		}
	case p.Format == intake.FormatCombolist:
		fmt.Fprintf(&b, ", separator %q", p.Delimiter)
	case p.Dialect != "":
		fmt.Fprintf(&b, ", %s dialect", p.Dialect)
	}
	if p.Region != "" {
		how := "from the sample"
		if p.RegionWhy == "given" {
			how = "given"
		}
		fmt.Fprintf(&b, ", phone region %s (%s)", p.Region, how)
	}
	fmt.Fprintf(&b, ", %d rows", p.Rows)
	return b.String()
}

func delimName(d string) string {
	switch d {
	case "\t":
		return "tab"
	case ",":
		return "comma"
	case ";":
		return "semicolon"
	case "|":
		return "pipe"
	}
	return fmt.Sprintf("%q", d)
}

func invalidText(c *intake.Column) string {
	if c.Invalid == 0 {
		return "0"
	}
	reasons := make([]string, 0, len(c.Reasons))
	for r, n := range c.Reasons {
		reasons = append(reasons, fmt.Sprintf("%s %d", r, n))
	}
	sort.Strings(reasons)
	return fmt.Sprintf("%d (%s)", c.Invalid, strings.Join(reasons, ", "))
}

func joinInts(lines []int64, total int64) string {
	s := make([]string, len(lines))
	for i, l := range lines {
		s[i] = fmt.Sprint(l)
	}
	out := strings.Join(s, ", ")
	if total > int64(len(lines)) {
		out += ", …"
	}
	return out
}

func maskedLine(r record.Record) string {
	m := r.Masked()
	s := make([]string, len(m))
	for i, a := range m {
		s[i] = a.Name + "=" + a.Value
	}
	return strings.Join(s, "  ")
}
