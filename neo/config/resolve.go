package config

import (
	"errors"
	"fmt"
	"strings"
)

// Args are the options given on a command line, by long name: the raw
// strings as typed ("true" for a Bool flag), several for a Multiple option.
type Args map[string][]string

// OptionError is a bad or missing option value: a usage error, as
// argparse's errors are in NEO/py (exit status 2).
type OptionError struct {
	Option string // long name
	Source string // "command line", or the file and section
	Err    error
}

func (e *OptionError) Error() string {
	if e.Source == "" {
		return fmt.Sprintf("config: --%s: %v", e.Option, e.Err)
	}
	return fmt.Sprintf("config: --%s (%s): %v", e.Option, e.Source, e.Err)
}

func (e *OptionError) Unwrap() error { return e.Err }

// ErrRequired is wrapped by the OptionError of a missing required option.
var ErrRequired = errors.New("required: give it on the command line or in the configuration file")

// value is one resolved option value, with where it came from.
type value struct {
	strs   []string // raw, one unless Multiple
	source string   // "" for a default
}

// Resolve merges a node's options as NEO/py's OptionList.parse does: a
// value given on the command line wins over the configuration file's
// (-f FILE, section -s SECTION or the node kind), which wins over the
// default. A file's options that the node does not have (the DEFAULT
// section is shared by every node kind) are skipped. It then checks and
// converts every value into Settings.
func Resolve(k Kind, args Args) (*Settings, error) {
	opts := Options(k)
	vals, err := merge(opts, args)
	if err != nil {
		return nil, err
	}
	return settings(k, opts, vals)
}

func merge(opts []Option, args Args) (map[string]value, error) {
	vals := map[string]value{}
	for _, o := range opts {
		if o.HasDefault {
			vals[o.Name] = value{strs: []string{o.Default}}
		}
	}
	if file := args[optFile]; len(file) > 0 {
		section := lastOr(args[optSection], vals[optSection].strs)
		if err := mergeFile(opts, vals, file[len(file)-1], section); err != nil {
			return nil, err
		}
	}
	for _, o := range opts {
		if a, ok := args[o.Name]; ok && len(a) > 0 {
			if !o.Multiple {
				a = a[len(a)-1:]
			}
			vals[o.Name] = value{strs: a, source: "command line"}
		}
	}
	for _, o := range opts {
		if _, ok := vals[o.Name]; !ok && o.Required {
			return nil, &OptionError{Option: o.Name, Err: ErrRequired}
		}
	}
	return vals, nil
}

func lastOr(a, b []string) string {
	if len(a) > 0 {
		return a[len(a)-1]
	}
	if len(b) > 0 {
		return b[len(b)-1]
	}
	return ""
}

// mergeFile sets vals from section of the file at path.
func mergeFile(opts []Option, vals map[string]value, path, section string) error {
	path, err := expandUser(path)
	if err != nil {
		return &OptionError{Option: optFile, Err: err}
	}
	f, err := ReadFile(path)
	if err != nil {
		return err
	}
	m, err := f.Options(section)
	if err != nil {
		return err
	}
	src := fmt.Sprintf("%s [%s]", path, section)
	for _, o := range opts {
		if o.Name == optFile || o.Name == optSection {
			continue
		}
		v, ok := m[o.FileKey()]
		if !ok {
			continue
		}
		strs := []string{v}
		if o.Multiple {
			strs = nil
			for _, l := range strings.Split(v, "\n") {
				if l != "" {
					strs = append(strs, l)
				}
			}
		}
		if o.Type == Bool {
			b, err := parseFileBool(v)
			if err != nil {
				return &OptionError{Option: o.Name, Source: src, Err: err}
			}
			strs = []string{fmt.Sprint(b)}
		}
		vals[o.Name] = value{strs: strs, source: src}
	}
	return nil
}

// parseFileBool reads a boolean as ConfigParser.getboolean does.
func parseFileBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "yes", "true", "on":
		return true, nil
	case "0", "no", "false", "off":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %q", s)
}
