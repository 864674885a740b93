package client

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want Options
		err  string
	}{
		{url: "neo://db@127.0.0.1:2051", want: Options{Cluster: "db", Masters: []string{"127.0.0.1:2051"}}},
		{url: "neo://db@m1:1,m2:2,m3:3", want: Options{Cluster: "db", Masters: []string{"m1:1", "m2:2", "m3:3"}}},
		{url: "neo://db@h:1?compress=false&read_only=true&cache-size=2MB",
			want: Options{Cluster: "db", Masters: []string{"h:1"}, Compress: NoCompress, ReadOnly: true, CacheSize: 2 << 20}},
		{url: "neo://db@h:1?compress=zlib=9&read-only=off&cache_size=0",
			want: Options{Cluster: "db", Masters: []string{"h:1"}, Compress: 9, CacheSize: -1}},
		{url: "neo://db@h:1?unknown=1", want: Options{Cluster: "db", Masters: []string{"h:1"}}},
		{url: "neo://h:1", err: "no cluster name"},
		{url: "neo://db@h", err: "master"},
		{url: "neo://db@h:1/path", err: "non-empty path"},
		{url: "neo://db@h:1#frag", err: "non-empty fragment"},
		{url: "neo://db@h:1?compress=lz4", err: "invalid compress"},
		{url: "neo://db@h:1?cache-size=lots", err: "invalid cache-size"},
		{url: "neo://db@h:1?ca=x", err: "all of ca, cert and key"},
		{url: "zeo://db@h:1", err: "scheme"},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		o, err := ParseURL(u)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.url, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.url, err)
			continue
		}
		if o.Cluster != tc.want.Cluster || strings.Join(o.Masters, " ") != strings.Join(tc.want.Masters, " ") ||
			o.Compress != tc.want.Compress || o.ReadOnly != tc.want.ReadOnly || o.CacheSize != tc.want.CacheSize {
			t.Errorf("%s: %+v, want %+v", tc.url, *o, tc.want)
		}
	}
}

func TestParseURLNeosEnv(t *testing.T) {
	t.Setenv("NEO_CA", "")
	u, _ := url.Parse("neos://db@h:1")
	if _, err := ParseURL(u); err == nil || !strings.Contains(err.Error(), "$NEO_CA") {
		t.Errorf("neos without credentials: %v", err)
	}
	t.Setenv("NEO_CA", "/nonexistent/ca.pem")
	t.Setenv("NEO_CERT", "/nonexistent/cert.pem")
	t.Setenv("NEO_KEY", "/nonexistent/key.pem")
	if _, err := ParseURL(u); err == nil || !strings.Contains(err.Error(), "ca.pem") {
		t.Errorf("neos with missing files: %v", err)
	}
}

func TestCompress(t *testing.T) {
	small := []byte("abc")
	if c, d := compress(small, 0); c != 0 || string(d) != "abc" {
		t.Errorf("incompressible record sent compressed")
	}
	big := []byte(strings.Repeat("pickle ", 100))
	c, d := compress(big, 0)
	if c != 1 || len(d) >= len(big) {
		t.Fatalf("compressible record not compressed")
	}
	back, err := unpack(c, zodbSum(d), d)
	if err != nil || string(back) != string(big) {
		t.Errorf("unpack: %v", err)
	}
	if _, err := unpack(c, zodbSum(small), d); err == nil {
		t.Errorf("wrong checksum accepted")
	}
	if _, err := unpack(1, zodbSum(small), small); err == nil {
		t.Errorf("bad zlib data accepted")
	}
	if c, _ := compress(big, NoCompress); c != 0 {
		t.Errorf("compress=false compressed")
	}
}

// FuzzParseURL: any URL gets options or an error, never a panic.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"neo://db@h:1", "neos://db@h:1,h:2?ca=a&cert=b&key=c", "neo://db@h:1?compress=zlib=5&cache-size=3KB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := url.Parse(s)
		if err != nil {
			return
		}
		o, err := ParseURL(u)
		if err == nil && (o.Cluster == "" || len(o.Masters) == 0) {
			t.Errorf("%q: no cluster or master but no error", s)
		}
	})
}
