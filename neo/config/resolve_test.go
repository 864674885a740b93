package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

const neoConf = "../../testdata/neo/config/neo.conf"

// parse runs a command line through AddFlags and Resolve, as the node
// commands do.
func parse(t *testing.T, k Kind, argv ...string) (*Settings, error) {
	t.Helper()
	fs := pflag.NewFlagSet(string(k), pflag.ContinueOnError)
	args := AddFlags(k, fs)
	if err := fs.Parse(argv); err != nil {
		return nil, err
	}
	return Resolve(k, args())
}

// TestNeoConf checks the values NEO/py 's option parser gives for the same
// command lines over the same file (recorded by hand from
// neo.*.app.Application.option_parser.parse).
func TestNeoConf(t *testing.T) {
	t.Setenv("HOME", "/home/u")
	for _, tc := range []struct {
		kind Kind
		argv []string
		want Settings
	}{
		{Storage, []string{"-f", neoConf, "-b", "127.0.0.1:20001"}, Settings{
			Kind: Storage, Cluster: "test", Masters: []string{"127.0.0.1:10000"}, Bind: "127.0.0.1:20001",
			LogLevel: "info", Adapter: "SQLite", Database: "/home/u/neo/storage.db", Dedup: true}},
		{Storage, []string{"-f", neoConf, "-d", "x"}, Settings{
			Kind: Storage, Cluster: "test", Masters: []string{"127.0.0.1:10000"}, Bind: "127.0.0.1:20000",
			LogLevel: "info", Adapter: "SQLite", Database: "x", Dedup: true}},
		{Master, []string{"-f", neoConf, "-p", "7", "-A", "1"}, Settings{
			Kind: Master, Cluster: "test", Masters: []string{"127.0.0.1:10000"}, Bind: "127.0.0.1:10000",
			LogLevel: "info", Autostart: 1, Partitions: 7, Replicas: 0}},
		{Admin, []string{"-f", neoConf, "-s", "master"}, Settings{
			Kind: Admin, Cluster: "test", Masters: []string{"127.0.0.1:10000"}, Bind: "127.0.0.1:10000",
			LogLevel: "info"}},
		{Admin, []string{"--file=" + neoConf, "-c", "other"}, Settings{
			Kind: Admin, Cluster: "other", Masters: []string{"127.0.0.1:10000"}, Bind: "127.0.0.1:9999",
			LogLevel: "info"}},
		// no file: NEO/py's defaults
		{Storage, []string{"-c", "x", "-d", "a.db", "-b", "[::1]", "-m", "127.0.0.1:1 127.0.0.2:2"}, Settings{
			Kind: Storage, Cluster: "x", Masters: []string{"127.0.0.1:1", "127.0.0.2:2"}, Bind: "[::1]:0",
			LogLevel: "info", Adapter: "SQLite", Database: "a.db"}},
		{Master, []string{"-c", "x"}, Settings{
			Kind: Master, Cluster: "x", Bind: "127.0.0.1:10000", LogLevel: "info", Partitions: 100}},
		{Master, []string{"-c", "x", "-m", ""}, Settings{
			Kind: Master, Cluster: "x", Bind: "127.0.0.1:10000", LogLevel: "info", Partitions: 100}},
		{Admin, []string{"-c", "x"}, Settings{
			Kind: Admin, Cluster: "x", Masters: []string{"127.0.0.1:10000"}, Bind: "127.0.0.1:9999", LogLevel: "info"}},
	} {
		got, err := parse(t, tc.kind, tc.argv...)
		if err != nil {
			t.Errorf("%s %q: %v", tc.kind, tc.argv, err)
			continue
		}
		if !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("%s %q:\n got %+v\nwant %+v", tc.kind, tc.argv, *got, tc.want)
		}
	}
}

// TestEveryFlag gives every supported option on the command line, long
// and short.
func TestEveryFlag(t *testing.T) {
	dir := t.TempDir()
	got, err := parse(t, Master, "-l", dir+"/m.log", "--loglevel", "debug",
		"--ca", "ca.crt", "--cert", "m.crt", "--key", "m.key",
		"-c", "c1", "-m", "10.0.0.1:1, 10.0.0.2:2", "-b", "0.0.0.0:5551",
		"-A", "3", "-r", "1", "-p", "1_0")
	if err != nil {
		t.Fatal(err)
	}
	want := Settings{Kind: Master, Cluster: "c1", Masters: []string{"10.0.0.1:1", "10.0.0.2:2"},
		Bind: "0.0.0.0:5551", LogFile: dir + "/m.log", LogLevel: "debug",
		CA: "ca.crt", Cert: "m.crt", Key: "m.key", Autostart: 3, Replicas: 1, Partitions: 10}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("master:\n got %+v\nwant %+v", *got, want)
	}

	got, err = parse(t, Storage, "--cluster=c1", "--masters=h:1", "--bind=h", "--adapter=SQLite",
		"--database=~/x.db", "--reset", "--dedup", "-w", "2.5", "--disable-pack", "-e", "InnoDB")
	if err != nil {
		t.Fatal(err)
	}
	home, _ := expandUser("~")
	if got.Database != home+"/x.db" || !got.Reset || !got.Dedup || got.Bind != "h:0" {
		t.Errorf("storage: %+v", *got)
	}
	if len(got.Warnings) != 3 {
		t.Errorf("storage warnings: %q", got.Warnings)
	}

	got, err = parse(t, Admin, "-c", "c1", "--monitor-email", "a@b", "--monitor-email", "c@d", "--smtp-tls")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Warnings) != 2 {
		t.Errorf("admin warnings: %q", got.Warnings)
	}
}

func TestOptionErrors(t *testing.T) {
	for _, tc := range []struct {
		kind Kind
		argv []string
		want string
	}{
		{Master, nil, "--cluster: required"},
		{Storage, []string{"-c", "x"}, "--database: required"},
		{Master, []string{"-c", "x", "-p", "x"}, `--partitions (command line): invalid int value: "x"`},
		{Master, []string{"-c", "x", "-p", "0"}, "need at least 1 partition"},
		{Master, []string{"-c", "x", "-A", "-1"}, "negative"},
		{Master, []string{"-c", "x", "-B"}, "--backup (command line): not supported"},
		{Master, []string{"-c", "x", "-C", "up"}, "--upstream-cluster (command line): not supported"},
		{Storage, []string{"-c", "x", "-d", "d", "-a", "MySQL"}, "adapter MySQL is not supported"},
		{Storage, []string{"-c", "x", "-d", "d", "-a", "Foo"}, `invalid choice: "Foo"`},
		{Storage, []string{"-c", "x", "-d", "d", "--new-nid"}, "--new-nid (command line): not supported"},
		{Storage, []string{"-c", "", "-d", "d"}, "--cluster (command line): value is empty"},
		{Admin, []string{"-c", "x", "--ca", "ca"}, "give all 3 files"},
		{Admin, []string{"-c", "x", "-m", "h"}, `bad address "h"`},
		{Admin, []string{"-c", "x", "-m", ""}, "--masters (command line): value is empty"},
		{Admin, []string{"-c", "x", "-b", "[::1"}, "no closing ]"},
		{Admin, []string{"-c", "x", "--loglevel", "loud"}, `invalid choice: "loud"`},
		{Admin, []string{"-c", "x", "-f", "nosuch.conf"}, "nosuch.conf: no such file"},
		{Admin, []string{"-c", "x", "-f", neoConf, "-s", "nosuch"}, "[nosuch]: no such section"},
	} {
		_, err := parse(t, tc.kind, tc.argv...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q: error %v, want %q", tc.kind, tc.argv, err, tc.want)
		}
	}
	_, err := parse(t, Master)
	var oe *OptionError
	if !errors.As(err, &oe) || !errors.Is(err, ErrRequired) {
		t.Errorf("missing -c: %#v", err)
	}
}

// TestFileValues checks values read from a file: booleans as
// getboolean reads them, repeatable options one per line, bad values
// named with their file and section.
func TestFileValues(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "neo.conf")
	write := func(s string) {
		if err := os.WriteFile(conf, []byte(s), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	write("[DEFAULT]\ncluster = c\n[storage]\ndatabase = d\nreset = On\ndedup = 0\n" +
		"[admin]\nmonitor_email = a@b\n  c@d\n[bad]\ndatabase = d\nreset = maybe\n[bad2]\npartitions = x\n")
	s, err := parse(t, Storage, "-f", conf)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Reset || s.Dedup {
		t.Errorf("storage: %+v", *s)
	}
	s, err = parse(t, Admin, "-f", conf)
	if err != nil || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "monitor-email") {
		t.Errorf("admin: %v %+v", err, s)
	}
	_, err = parse(t, Storage, "-f", conf, "-s", "bad")
	if err == nil || !strings.Contains(err.Error(), "--reset ("+conf+" [bad]): not a boolean") {
		t.Errorf("bad boolean: %v", err)
	}
	_, err = parse(t, Master, "-f", conf, "-s", "bad2")
	if err == nil || !strings.Contains(err.Error(), `--partitions (`+conf+` [bad2]): invalid int value: "x"`) {
		t.Errorf("bad int: %v", err)
	}
}

func TestParseAddress(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"127.0.0.1", "127.0.0.1:0"},
		{"127.0.0.1:5", "127.0.0.1:5"},
		{"[::1]", "[::1]:0"},
		{"[::1]:7", "[::1]:7"},
		{"::1", "[::1]:0"},
		{"localhost:9", "localhost:9"},
	} {
		got, err := ParseAddress(tc.in, 0)
		if err != nil || got != tc.want {
			t.Errorf("%q: %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := ParseAddress("h:99999", 0); err == nil {
		t.Error("port 99999 accepted")
	}
}

func TestExpandUser(t *testing.T) {
	t.Setenv("HOME", "/home/u/")
	for in, want := range map[string]string{
		"~": "/home/u", "~/a": "/home/u/a", "a/~": "a/~", "~nosuchuser_x/a": "~nosuchuser_x/a", "": "",
	} {
		if got, _ := expandUser(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// TestEachOption gives each option of each node kind alone (with what the
// kind requires), in its long and short forms, and checks what its Support
// promises: honoured, ignored with a warning, or refused.
func TestEachOption(t *testing.T) {
	sample := map[Type]string{String: "v", Path: "p", Int: "3", Float: "1.5"}
	special := map[string]string{
		optMasters: "127.0.0.1:1", optBind: "127.0.0.1:2", optAdapter: "SQLite", optLoglevel: "debug",
		optFile: neoConf, optSection: "storage", "upstream-masters": "127.0.0.1:3",
	}
	for _, k := range []Kind{Master, Storage, Admin} {
		for _, o := range Options(k) {
			if o.Name == optCA || o.Name == optCert || o.Name == optKey {
				continue // only the three together: TestEveryFlag, cmd/neo's TLS test
			}
			v, ok := special[o.Name]
			if !ok {
				v = sample[o.Type]
			}
			forms := [][]string{{"--" + o.Name + "=" + v}}
			if o.Type == Bool {
				forms[0] = []string{"--" + o.Name}
			}
			if o.Short != "" {
				forms = append(forms, []string{"-" + o.Short, v})
				if o.Type == Bool {
					forms[1] = forms[1][:1]
				}
			}
			for _, form := range forms {
				argv := append([]string{"-c", "x", "-d", "d"}, form...)
				if k != Storage {
					argv = append(argv[:2:2], form...)
				}
				checkSupport(t, k, o, argv)
			}
		}
	}
}

func checkSupport(t *testing.T, k Kind, o Option, argv []string) {
	t.Helper()
	s, err := parse(t, k, argv...)
	switch o.Support {
	case Supported:
		if err != nil || len(s.Warnings) != 0 {
			t.Errorf("%s %q: %v %+v", k, argv, err, s)
		}
	case Ignored:
		if err != nil || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "--"+o.Name) {
			t.Errorf("%s %q: %v %+v", k, argv, err, s)
		}
	case Unsupported:
		if err == nil || !strings.Contains(err.Error(), "--"+o.Name+" (command line): not supported") {
			t.Errorf("%s %q: error %v", k, argv, err)
		}
	}
}

// TestAbbreviations: long options abbreviated to a unique prefix, as
// argparse takes them.
func TestAbbreviations(t *testing.T) {
	s, err := parse(t, Master, "--clus", "x", "--part", "7", "--auto=2", "--rep", "1")
	if err != nil || s.Cluster != "x" || s.Partitions != 7 || s.Autostart != 2 || s.Replicas != 1 {
		t.Errorf("%v %+v", err, s)
	}
	s, err = parse(t, Admin, "-c", "x", "--smtp", "h", "--smtp-t")
	if err != nil || len(s.Warnings) != 2 {
		t.Errorf("exact name beside longer ones: %v %+v", err, s)
	}
	if _, err := parse(t, Storage, "-c", "x", "-d", "d", "--d"); err == nil {
		t.Error("--d (--database, --dedup, --disable-...) accepted")
	}
}
