package main

import (
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// progress shows a progress bar on stderr for work that lasts over a
// second, when stderr is a terminal (DESIGN.md's command contract).
type progress struct {
	tty   *os.File // nil: no bar
	desc  string
	start time.Time
	bar   *progressbar.ProgressBar
}

func newProgress(cmd *cobra.Command, desc string) *progress {
	p := &progress{desc: desc, start: time.Now()}
	if f, ok := cmd.ErrOrStderr().(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = f
	}
	return p
}

// update is the fs1tools Progress callback.
func (p *progress) update(pos, size int64) {
	if p.tty == nil {
		return
	}
	if p.bar == nil {
		if time.Since(p.start) < time.Second {
			return
		}
		p.bar = progressbar.NewOptions64(size,
			progressbar.OptionSetWriter(p.tty),
			progressbar.OptionSetDescription(p.desc),
			progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish())
	}
	p.bar.Set64(pos)
}

func (p *progress) done() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
