package config

import (
	"strings"

	"github.com/spf13/pflag"
)

// AddFlags declares k's options on fs (NEO/py's names, short letters and
// defaults) and returns a function giving, once fs is parsed, the options
// the command line set: Resolve's Args.
func AddFlags(k Kind, fs *pflag.FlagSet) func() Args {
	args := Args{}
	opts := Options(k)
	fs.SetNormalizeFunc(abbreviations(opts))
	for _, o := range opts {
		v := &flagValue{args: args, name: o.Name, typ: o.Type, meta: o.Metavar}
		usage := o.Help
		if o.Required {
			usage += " (required)"
		}
		f := fs.VarPF(v, o.Name, o.Short, usage)
		if o.HasDefault {
			f.DefValue = o.Default
		}
		if o.Type == Bool {
			f.NoOptDefVal = "true"
		}
	}
	return func() Args { return args }
}

// flagValue records every value given to one option, as typed.
type flagValue struct {
	args Args
	name string
	typ  Type
	meta string
}

func (v *flagValue) String() string {
	if a := v.args[v.name]; len(a) > 0 {
		return a[len(a)-1]
	}
	return ""
}

func (v *flagValue) Set(s string) error {
	v.args[v.name] = append(v.args[v.name], s)
	return nil
}

// Type is the value's name in --help.
func (v *flagValue) Type() string {
	if v.typ == Bool {
		return "bool"
	}
	if v.meta != "" {
		return v.meta
	}
	return "string"
}

// abbreviations lets a long option be abbreviated to any unique prefix,
// as argparse allows (NEO/py's command lines may say --part for
// --partitions). An ambiguous or unknown prefix is left as it is, for
// pflag to refuse.
func abbreviations(opts []Option) func(*pflag.FlagSet, string) pflag.NormalizedName {
	return func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		match := ""
		for _, o := range opts {
			switch {
			case o.Name == name:
				return pflag.NormalizedName(name)
			case strings.HasPrefix(o.Name, name):
				if match != "" {
					return pflag.NormalizedName(name) // ambiguous
				}
				match = o.Name
			}
		}
		if match == "" {
			return pflag.NormalizedName(name)
		}
		return pflag.NormalizedName(match)
	}
}
