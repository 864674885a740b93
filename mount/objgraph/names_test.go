package objgraph

import (
	"math"
	"math/big"
	"strings"
	"testing"

	ogórek "github.com/kisielk/og-rek"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

func TestEscape(t *testing.T) {
	long := strings.Repeat("é", 150) // 300 bytes
	for _, c := range []struct{ natural, name string }{
		{"key0001", "key0001"},
		{"", "%"},
		{".", "%2E"},
		{"..", "%2E%2E"},
		{"...", "..."},
		{".hidden", ".hidden"},
		{"a/b", "a%2Fb"},
		{"50%", "50%25"},
		{"%2F", "%252F"},
		{"nul\x00", "nul%00"},
		{"%#x", "%25#x"},
		{"%=1", "%25=1"},
		{"new\nline", "new\nline"},
		{strings.Repeat("a", 255), strings.Repeat("a", 255)},
	} {
		if got := escape(c.natural); got != c.name {
			t.Errorf("escape(%q) = %q, want %q", c.natural, got, c.name)
		}
		if back, ok := unescape(c.name); !ok || back != c.natural {
			t.Errorf("unescape(%q) = %q, %v", c.name, back, ok)
		}
	}

	// Over-long names are cut at a character and end with a hash of the
	// whole name; they do not read back.
	for _, natural := range []string{strings.Repeat("a", 256), long, strings.Repeat("/", 100), long + "x"} {
		name := escape(natural)
		if len(name) > nameCut+len(hashMark)+16 || !strings.Contains(name, hashMark) {
			t.Errorf("escape(%d bytes) = %q", len(natural), name)
		}
		cut := name[:strings.Index(name, hashMark)]
		if !strings.HasPrefix(escape(natural[:len(natural)/2]), cut[:50]) || strings.HasSuffix(cut, "%") || strings.HasSuffix(cut, "%2") {
			t.Errorf("escape(%q...) cut as %q", natural[:10], cut)
		}
		if !strings.Contains(natural, "/") && !isValidUTF8Prefix(natural, cut) {
			t.Errorf("escape(%q...) cut inside a character", natural[:10])
		}
		if _, ok := unescape(name); ok {
			t.Errorf("unescape(%q) succeeded", name)
		}
	}
	if escape(long) == escape(long+"x") {
		t.Error("two long names share their shortened name")
	}

	// Names escape does not write do not read back.
	for _, name := range []string{"a/b", "%2f", "%", "a%", "a%2", "%zz", "%41", ".", "..", "", "x\x00"} {
		if name == "%" {
			continue
		}
		if got, ok := unescape(name); ok {
			t.Errorf("unescape(%q) = %q, want a failure", name, got)
		}
	}
}

func isValidUTF8Prefix(natural, cut string) bool {
	return strings.HasPrefix(natural, cut) && (len(cut) == len(natural) || natural[len(cut)]&0xc0 != 0x80)
}

func TestNaturalName(t *testing.T) {
	huge, _ := new(big.Int).SetString("1180591620717411303424", 10)
	for _, c := range []struct {
		key  any
		name string
	}{
		{"text", "text"},
		{ogórek.ByteString("py2"), "py2"},
		{ogórek.ByteString("caf\xc3\xa9"), `b'caf\xc3\xa9'`},
		{int64(-3), "-3"},
		{huge, "1180591620717411303424"},
		{1.5, "1.5"},
		{1.0, "1.0"},
		{1e20, "1e+20"},
		{math.Inf(-1), "-inf"},
		{true, "True"},
		{ogórek.None{}, "None"},
		{ogórek.Bytes("a/b'"), `b"a/b'"`},
		{ogórek.Tuple{int64(1), "a"}, "(1, 'a')"},
		{ogórek.Tuple{int64(1)}, "(1,)"},
	} {
		if got := naturalName(c.key, nil); got != c.name {
			t.Errorf("naturalName(%#v, nil) = %q, want %q", c.key, got, c.name)
		}
	}
}

// Keys of one natural name: the str keeps it, the others are numbered.
func TestNameKeysCollide(t *testing.T) {
	nan := math.NaN()
	keys := []any{int64(3), "3", ogórek.ByteString("4"), "a/b", ogórek.Bytes("x"), "b'x'", nan, nan, "nan", int64(4)}
	got := nameKeys(keys, nil)
	want := []string{"3%=1", "3", "4", "a%2Fb", "b'x'%=1", "b'x'", "nan%=1", "nan%=2", "nan", "4%=1"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("nameKeys = %q\nwant      %q", got, want)
	}
	seen := map[string]bool{}
	for _, n := range got {
		if seen[n] {
			t.Errorf("name %q twice", n)
		}
		seen[n] = true
		base, dup, ok := splitDup(n)
		if !ok || withDup(base, dup) != n {
			t.Errorf("splitDup(%q) = %q, %d, %v", n, base, dup, ok)
		}
	}
	for _, bad := range []string{"a%=0", "a%=01", "a%=", "a%=x", "a%=-1"} {
		if _, _, ok := splitDup(bad); ok {
			t.Errorf("splitDup(%q) succeeded", bad)
		}
	}
}

func TestParseLiteral(t *testing.T) {
	huge, _ := new(big.Int).SetString("-36893488147419103232", 10)
	for _, v := range []any{int64(0), int64(-5), huge, 1.5, 1e+20, -0.0, math.Inf(1), true, false, ogórek.None{},
		ogórek.Bytes(""), ogórek.Bytes("a'b\"c\\\x00\xff\t\n\r"), ogórek.Bytes("'")} {
		s := naturalName(v, nil)
		got, ok := parseLiteral(s)
		if !ok || naturalName(got, nil) != s {
			t.Errorf("parseLiteral(%q) = %#v, %v", s, got, ok)
		}
	}
	for _, s := range []string{"", "01", "-0", "+1", "1.50", "1e20", "none", "b'", "b'\\q'", "b'\\x4'", "b'a\"", "(1,)", "x"} {
		if got, ok := parseLiteral(s); ok {
			t.Errorf("parseLiteral(%q) = %#v, want a failure", s, got)
		}
	}
}

func TestCompareKeys(t *testing.T) {
	big1, _ := new(big.Int).SetString("100000000000000000000", 10)
	ordered := []any{ogórek.None{}, int64(-1), false, 0.5, true, int64(2), big1, math.Inf(1), "a", ogórek.ByteString("b"), "é"}
	for i := range ordered {
		for j := range ordered {
			c, ok := compareKeys(ordered[i], ordered[j])
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			if !ok || c != want {
				t.Errorf("compare(%#v, %#v) = %d, %v; want %d", ordered[i], ordered[j], c, ok, want)
			}
		}
	}
	for _, pair := range [][2]any{
		{math.NaN(), 1.0},
		{"a", ogórek.Bytes("a")},
		{"a", ogórek.Tuple{}},
		{ogórek.Tuple{"a"}, ogórek.Tuple{ogórek.Bytes("a")}},
		{ogórek.Class{}, ogórek.Class{}},
	} {
		if _, ok := compareKeys(pair[0], pair[1]); ok {
			t.Errorf("compare(%#v, %#v) knows an order", pair[0], pair[1])
		}
	}
	if c, ok := compareKeys(ogórek.Tuple{int64(1), "b"}, ogórek.Tuple{int64(1), "c", int64(0)}); !ok || c != -1 {
		t.Errorf("tuple compare = %d, %v", c, ok)
	}
}

// The text writer's own repr of common scalars is zpickle.Repr's.
func TestScalarRepr(t *testing.T) {
	for _, v := range []any{int64(-12), 1.5, 1e22, -0.0, math.NaN(), true, false, ogórek.None{},
		ogórek.Bytes("a'\"\\\x00\xff"), "plain", "it's", `"q"`, "both ' and \"", "tab\tnl\nesc\x1b\x7f", "ü", ""} {
		w := &textWriter{}
		w.scalar(v)
		if got, want := string(w.b), zpickle.Repr(v); got != want || w.spent != len(want) {
			t.Errorf("scalar(%#v) = %q, want %q", v, got, want)
		}
	}
}
