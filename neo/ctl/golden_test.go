package ctl

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// The golden files in testdata/neo/ctl were recorded from NEO/py's neoctl
// talking to NEO/py's admin: the command line, neoctl's exit status, the
// bytes neoctl sent (c2s) and the admin answered (s2c) after the
// handshakes, and what neoctl printed. Each test replays the admin's
// answers to Run and checks that it sends the same packets, byte for
// byte, and prints the same text.

type golden struct {
	name     string
	args     []string
	rc       int
	c2s, s2c []byte
	stdout   string
	stderr   string
}

func readGolden(t *testing.T, path string) golden {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	head, rest, ok := strings.Cut(string(data), "-- stdout --\n")
	stdout, stderr, ok2 := strings.Cut(rest, "-- stderr --\n")
	if !ok || !ok2 {
		t.Fatalf("%s: no stdout/stderr sections", path)
	}
	g := golden{name: filepath.Base(path), stdout: stdout, stderr: stderr}
	for _, line := range strings.Split(strings.TrimSpace(head), "\n") {
		k, v, _ := strings.Cut(line, ": ")
		switch k {
		case "args":
			g.args = strings.Fields(v)
		case "rc":
			g.rc, err = strconv.Atoi(v)
		case "c2s":
			g.c2s, err = hex.DecodeString(v)
		case "s2c":
			g.s2c, err = hex.DecodeString(v)
		}
		if err != nil {
			t.Fatalf("%s: %s: %v", path, k, err)
		}
	}
	return g
}

// splitPackets cuts a recorded stream into packets.
func splitPackets(t *testing.T, b []byte) []proto.Packet {
	t.Helper()
	var out []proto.Packet
	for len(b) > 0 {
		p, n, err := proto.ParsePacket(b)
		if err != nil {
			t.Fatalf("recorded stream: %v", err)
		}
		out = append(out, p)
		b = b[n:]
	}
	return out
}

// replayAdmin serves one connection: for each packet it receives, checks
// it is the next recorded request and sends the recorded packets with
// its msg id. It reports mismatches on errc.
func replayAdmin(t *testing.T, ln net.Listener, g golden, errc chan<- error) {
	reqs, answers := splitPackets(t, g.c2s), splitPackets(t, g.s2c)
	go func() {
		errc <- func() error {
			conn, err := ln.Accept()
			if err != nil {
				if len(reqs) == 0 {
					return nil // neoctl did not connect, nor did Run
				}
				return err
			}
			defer conn.Close()
			if _, err := conn.Write(proto.Handshake); err != nil {
				return err
			}
			rd := proto.NewReader(conn)
			if err := rd.ReadHandshake(); err != nil {
				return err
			}
			for i := 0; ; i++ {
				p, err := rd.Next()
				if errors.Is(err, io.EOF) && i == len(reqs) {
					return nil
				}
				if err != nil {
					return err
				}
				if i >= len(reqs) {
					return errors.New("extra request " + p.Name())
				}
				if !bytes.Equal(p.Raw, reqs[i].Raw) {
					return errors.New("request " + strconv.Itoa(i) + ": got " + hex.EncodeToString(p.Raw) + ", want " + hex.EncodeToString(reqs[i].Raw))
				}
				for _, a := range answers {
					if a.MsgID == p.MsgID {
						if _, err := conn.Write(a.Raw); err != nil {
							return err
						}
					}
				}
			}
		}()
	}()
}

func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/neo/ctl/*/*.txt")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, f := range files {
		g := readGolden(t, f)
		t.Run(filepath.Base(filepath.Dir(f))+"/"+strings.TrimSuffix(g.name, ".txt"), func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			errc := make(chan error, 1)
			replayAdmin(t, ln, g, errc)
			ctx := context.Background()
			out, err := func() (string, error) {
				if err := Check(g.args); err != nil {
					return "", err
				}
				c, err := Dial(ctx, ln.Addr().String(), nil)
				if err != nil {
					return "", err
				}
				defer c.Close()
				return Run(ctx, c, g.args)
			}()
			ln.Close()
			if rerr := <-errc; rerr != nil {
				t.Errorf("admin side: %v", rerr)
			}
			checkOutcome(t, g, out, err)
		})
	}
}

func checkOutcome(t *testing.T, g golden, out string, err error) {
	t.Helper()
	if g.rc == 0 {
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if out != g.stdout {
			t.Errorf("output:\n%s\nwant:\n%s", out, g.stdout)
		}
		return
	}
	if err == nil {
		t.Fatalf("Run succeeded with %q, neoctl failed with %s", out, g.stderr)
	}
	if !strings.HasPrefix(g.stderr, "(traceback)") && err.Error()+"\n" != g.stderr {
		t.Errorf("error %q, neoctl says %q", err.Error(), g.stderr)
	}
}
