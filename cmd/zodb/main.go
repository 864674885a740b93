// Command zodb manages ZODB databases: it dumps, inspects and analyzes
// them as Nexedi's zodbtools `zodb` command does, with the same flags and
// outputs. Run `zodb help` for the list of commands.
package main

import (
	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	_ "github.com/zodbneo/zodbneo/fs1" // the file:// driver
)

func main() {
	cli.Main(newRootCommand())
}
