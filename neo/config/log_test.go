package config

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenLog(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "node.log")
	log, c, err := OpenLog(p, "warn", nil)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("dropped")
	log.With("node", "master", "nid", "M1").Warn("kept")
	c.Close()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); strings.Contains(s, "dropped") || !strings.Contains(s, "msg=kept node=master nid=M1") {
		t.Errorf("log file: %q", s)
	}

	py := filepath.Join(dir, "py.log")
	if err := os.WriteFile(py, []byte("SQLite format 3\x00\x10\x00"), 0o666); err != nil {
		t.Fatal(err)
	}
	if _, _, err := OpenLog(py, "info", nil); err == nil || !strings.Contains(err.Error(), "is an SQLite database") {
		t.Errorf("NEO/py log: %v", err)
	}
	if _, _, err := OpenLog("", "loud", nil); err == nil {
		t.Error("level loud accepted")
	}
	for name, want := range map[string]slog.Level{"debug": slog.LevelDebug, "": slog.LevelInfo, "warning": slog.LevelWarn, "error": slog.LevelError} {
		if l, err := Level(name); err != nil || l != want {
			t.Errorf("Level(%q) = %v, %v", name, l, err)
		}
	}
}
