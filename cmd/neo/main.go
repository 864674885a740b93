// Command neo runs and inspects NEO clusters. Run `neo help` for the list
// of commands.
package main

import "github.com/zodbneo/zodbneo/cmd/internal/cli"

func main() {
	cli.Main(newRootCommand())
}
