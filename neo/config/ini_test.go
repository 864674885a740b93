package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestTrickyINI checks the reader against what Python 3.11's
// configparser.ConfigParser returns for the same file (recorded by hand):
// multi-line values with blank lines and comments inside, interpolation
// with %(name)s and %%, inline ; kept, option names lower-cased, the
// first delimiter ending the name, DEFAULT inherited.
func TestTrickyINI(t *testing.T) {
	f, err := ReadFile("../../testdata/neo/config/tricky.ini")
	if err != nil {
		t.Fatal(err)
	}
	defaults := map[string]string{
		"cluster": "test",
		"masters": "127.0.0.1:10000\n127.0.0.2:10000",
		"base":    "/srv/test",
		"pct":     "100%",
	}
	want := map[string]map[string]string{
		"storage": {
			"database": "/srv/test/s.db ; not a comment",
			"bind":     "127.0.0.1:20000",
			"multi":    "a\n\nb\nc",
		},
		"admin": {
			"key":   "value:with:colons",
			"empty": "",
		},
	}
	if got := f.Sections(); !reflect.DeepEqual(got, []string{"storage", "admin"}) {
		t.Errorf("sections %q", got)
	}
	for sec, w := range want {
		for k, v := range defaults {
			w[k] = v
		}
		got, err := f.Options(sec)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("[%s]:\n got %q\nwant %q", sec, got, w)
		}
	}
	if _, err := f.Options("DEFAULT"); !errors.Is(err, ErrNoSection) {
		t.Errorf("[DEFAULT] as a section: %v", err)
	}
}

func TestINIErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"a = 1\n", "x.ini:1: option line before any [section] header"},
		{"[s]\na = 1\nb\n", "x.ini:3: no '=' or ':'"},
		{"[s]\na = 1\nA: 2\n", `x.ini:3: option "a" already given on line 2`},
		{"[s]\n[t]\n[s]\n", "x.ini:3: section [s] already given"},
		{"[DEFAULT]\na = 1\n[s]\n[DEFAULT]\na = 2\n", `x.ini:5: option "a" already given on line 2`},
		{"[s]\n= 1\n", "x.ini:2: option with no name"},
	} {
		_, err := Parse(strings.NewReader(tc.text), "x.ini")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.text, err, tc.want)
		}
	}
	for _, tc := range []struct{ text, want string }{
		{"[s]\na = %(b)s\n", `refers to missing option "b"`},
		{"[s]\na = %(a)s\n", "too deep"},
		{"[s]\na = 5%\n", "'%' must be followed"},
		{"[s]\na = %(b\n", "bad interpolation"},
	} {
		f, err := Parse(strings.NewReader(tc.text), "x.ini")
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.Options("s")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.text, err, tc.want)
		}
	}
}

// TestDefaultAgain: [DEFAULT] may come back, as configparser allows.
func TestDefaultAgain(t *testing.T) {
	f, err := Parse(strings.NewReader("[DEFAULT]\na = 1\n[s]\nb = 2\n[DEFAULT]\nc = 3\n"), "x.ini")
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Options("s")
	if want := map[string]string{"a": "1", "b": "2", "c": "3"}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, %v; want %v", got, err, want)
	}
}

func FuzzINI(f *testing.F) {
	f.Add("[DEFAULT]\na: 1\n[s]\nb = %(a)s\n  c\n")
	f.Add("[s]\na = %%(x)s %(a)s\n")
	f.Fuzz(func(t *testing.T, text string) {
		ini, err := Parse(strings.NewReader(text), "fuzz.ini")
		if err != nil {
			return
		}
		for _, s := range ini.Sections() {
			ini.Options(s)
		}
	})
}
