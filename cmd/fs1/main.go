// Command fs1 inspects and maintains ZODB FileStorage files (data.fs): it
// prints them as Python ZODB's fsdump and fstail do, prints their saved
// index, and rebuilds or checks that index. Run `fs1 help` for the list of
// commands.
package main

import "github.com/zodbneo/zodbneo/cmd/internal/cli"

func main() {
	cli.Main(newRootCommand())
}
