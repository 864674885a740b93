package cli

import (
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// Progress shows a progress bar on stderr for work that lasts over a
// second, when stderr is a terminal (the command contract); elsewhere it
// shows nothing.
type Progress struct {
	tty   *os.File // nil: no bar
	desc  string
	bytes bool
	start time.Time
	bar   *progressbar.ProgressBar
}

// NewProgress returns the progress bar of a command's work, described by
// desc; with bytes, amounts are shown as sizes.
func NewProgress(cmd *cobra.Command, desc string, bytes bool) *Progress {
	p := &Progress{desc: desc, bytes: bytes, start: time.Now()}
	if f, ok := cmd.ErrOrStderr().(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = f
	}
	return p
}

// Update says how far the work has got: done of total. It is the Progress
// callback of the packages' options.
func (p *Progress) Update(done, total int64) {
	if p.tty == nil {
		return
	}
	if p.bar == nil {
		if time.Since(p.start) < time.Second {
			return
		}
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(p.tty),
			progressbar.OptionSetDescription(p.desc),
			progressbar.OptionShowBytes(p.bytes),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish())
	}
	p.bar.Set64(done)
}

// Done ends the bar, if one was shown.
func (p *Progress) Done() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
