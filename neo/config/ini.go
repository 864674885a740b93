package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// defaultSection is ConfigParser's section of values every section sees.
const defaultSection = "DEFAULT"

// maxInterpolationDepth is ConfigParser's MAX_INTERPOLATION_DEPTH.
const maxInterpolationDepth = 10

// File is an INI file read as Python 3's configparser.ConfigParser reads
// it with its defaults, which is how NEO/py reads neo.conf:
//
//   - "[section]" headers; names are case-sensitive, DEFAULT is the
//     section whose options every other section inherits;
//   - "name = value" or "name: value" (the first = or : ends the name);
//     names are lower-cased and stripped, values stripped;
//   - a line indented deeper than its option's line continues the value
//     (joined with newlines; blank lines inside are kept);
//   - lines whose first non-blank character is # or ; are comments
//     (a ; or # after a value is part of the value);
//   - a duplicate section or option is an error (strict mode), so is an
//     option before any section header or a line with no delimiter;
//   - values are interpolated on reading: %(name)s is the value of option
//     name of the same section (or DEFAULT), %% is a literal %.
type File struct {
	Path     string
	sections map[string]*section
	order    []string // section names in file order, DEFAULT excluded
}

type section struct {
	opts  map[string]string
	lines map[string]int // line of each option, for errors
	keys  []string       // in file order
}

func newSection() *section {
	return &section{opts: map[string]string{}, lines: map[string]int{}}
}

// ReadFile reads the INI file at path. Contrary to Python's
// ConfigParser.read, a missing file is an error: NEO/py would then fail
// on the missing section anyway, with a less clear message.
func ReadFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(bytes.NewReader(b), path)
}

// Parse reads an INI file from r; name is the file name errors give.
func Parse(r io.Reader, name string) (*File, error) {
	f := &File{Path: name, sections: map[string]*section{defaultSection: newSection()}}
	p := iniParser{f: f}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		p.lineno++
		if err := p.line(sc.Text()); err != nil {
			return nil, fmt.Errorf("config: %s:%d: %w", name, p.lineno, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("config: %s: %w", name, err)
	}
	p.endValue()
	return f, nil
}

type iniParser struct {
	f      *File
	lineno int
	seen   map[string]bool // section headers read
	cur    *section
	// the option being read, which indented lines continue
	opt    string
	indent int
	value  []string
}

func (p *iniParser) line(raw string) error {
	raw = strings.TrimSuffix(raw, "\r")
	s := strings.TrimSpace(raw)
	if strings.HasPrefix(s, "#") || strings.HasPrefix(s, ";") {
		// A comment does not end a multi-line value (configparser skips
		// it before looking at indentation).
		return nil
	}
	if s == "" {
		if p.opt != "" {
			p.value = append(p.value, "")
		}
		return nil
	}
	indent := len(raw) - len(strings.TrimLeft(raw, " \t\f\v"))
	if p.cur != nil && p.opt != "" && indent > p.indent {
		p.value = append(p.value, s)
		return nil
	}
	p.endValue()
	if s[0] == '[' {
		if end := strings.LastIndexByte(s, ']'); end > 1 {
			return p.header(s[1:end])
		}
	}
	if p.cur == nil {
		return fmt.Errorf("option line before any [section] header: %q", s)
	}
	i := strings.IndexAny(s, "=:")
	if i < 0 {
		return fmt.Errorf("no '=' or ':' in %q", s)
	}
	name := strings.ToLower(strings.TrimSpace(s[:i]))
	if name == "" {
		return fmt.Errorf("option with no name in %q", s)
	}
	if l, dup := p.cur.lines[name]; dup {
		return fmt.Errorf("option %q already given on line %d", name, l)
	}
	p.opt, p.indent = name, indent
	p.value = []string{strings.TrimSpace(s[i+1:])}
	p.cur.lines[name] = p.lineno
	p.cur.keys = append(p.cur.keys, name)
	return nil
}

func (p *iniParser) header(name string) error {
	// configparser lets [DEFAULT] come back (its options still may not
	// repeat), not other sections.
	if p.seen[name] && name != defaultSection {
		return fmt.Errorf("section [%s] already given", name)
	}
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	p.seen[name] = true
	if _, ok := p.f.sections[name]; !ok {
		p.f.sections[name] = newSection()
		p.f.order = append(p.f.order, name)
	}
	p.cur = p.f.sections[name]
	return nil
}

// endValue stores the option being read, its lines joined as
// configparser joins them (trailing blank lines dropped).
func (p *iniParser) endValue() {
	if p.opt == "" {
		return
	}
	p.cur.opts[p.opt] = strings.TrimRight(strings.Join(p.value, "\n"), " \t\n")
	p.opt, p.value = "", nil
}

// Sections returns the file's section names in order, DEFAULT excluded.
func (f *File) Sections() []string { return f.order }

// HasSection reports whether the file has section name (DEFAULT is not a
// section, as for configparser).
func (f *File) HasSection(name string) bool {
	_, ok := f.sections[name]
	return ok && name != defaultSection
}

// ErrNoSection is wrapped by the errors of Options for a missing section.
var ErrNoSection = errors.New("no such section")

// Options returns the options section sees (its own and DEFAULT's) with
// their values interpolated.
func (f *File) Options(name string) (map[string]string, error) {
	if !f.HasSection(name) {
		return nil, fmt.Errorf("config: %s: [%s]: %w", f.Path, name, ErrNoSection)
	}
	raw := f.raw(name)
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		iv, err := interpolate(raw, k, v, 1)
		if err != nil {
			return nil, fmt.Errorf("config: %s: [%s] %s: %w", f.Path, name, k, err)
		}
		out[k] = iv
	}
	return out, nil
}

// raw is section name's options merged over DEFAULT's, uninterpolated.
func (f *File) raw(name string) map[string]string {
	m := map[string]string{}
	for k, v := range f.sections[defaultSection].opts {
		m[k] = v
	}
	for k, v := range f.sections[name].opts {
		m[k] = v
	}
	return m
}

// interpolate expands %(name)s and %% as configparser's
// BasicInterpolation does.
func interpolate(vars map[string]string, opt, v string, depth int) (string, error) {
	if depth > maxInterpolationDepth {
		return "", fmt.Errorf("interpolation of %q is too deep (a loop?)", opt)
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(v, '%')
		if i < 0 {
			b.WriteString(v)
			return b.String(), nil
		}
		b.WriteString(v[:i])
		v = v[i:]
		switch {
		case strings.HasPrefix(v, "%%"):
			b.WriteByte('%')
			v = v[2:]
		case strings.HasPrefix(v, "%("):
			end := strings.Index(v, ")s")
			if end < 0 {
				return "", fmt.Errorf("bad interpolation %q: want %%(name)s", v)
			}
			ref := strings.ToLower(v[2:end])
			rv, ok := vars[ref]
			if !ok {
				return "", fmt.Errorf("interpolation of %q refers to missing option %q", opt, ref)
			}
			if strings.Contains(rv, "%") {
				var err error
				if rv, err = interpolate(vars, ref, rv, depth+1); err != nil {
					return "", err
				}
			}
			b.WriteString(rv)
			v = v[end+2:]
		default:
			return "", fmt.Errorf("'%%' must be followed by '%%' or '(' in %q", v)
		}
	}
}
