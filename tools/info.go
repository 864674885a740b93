package tools

import (
	"fmt"
	"io"
	"strconv"

	"github.com/zodbneo/zodbneo/zodb"
)

// infoParam is one parameter `zodb info` knows, in zodbtools' order.
type infoParam struct {
	name string
	// aliasOf names the parameter this one is a deprecated alias of.
	aliasOf string
	get     func(zodb.Storage) string
}

var infoParams = []infoParam{
	{name: "name", get: func(s zodb.Storage) string { return s.Name() }},
	{name: "size", get: func(s zodb.Storage) string { return strconv.FormatInt(s.Size(), 10) }},
	{name: "head", get: func(s zodb.Storage) string { return s.Head().String() }},
	{name: "last_tid", aliasOf: "head", get: func(s zodb.Storage) string { return s.Head().String() }},
}

// InfoParams returns the names of the parameters Info knows, in the order
// it prints them by default.
func InfoParams() []string {
	names := make([]string, len(infoParams))
	for i, p := range infoParams {
		names[i] = p.name
	}
	return names
}

// Info writes parameters of stor to w as zodbtools' `zodb info` does: with
// no params, every parameter as "name=value" lines; else the value of each
// named parameter on its own line.
//
// Asking for a deprecated alias (last_tid) writes zodbtools' warning to
// warn, which may be nil. An unknown parameter is an error, found before
// anything is written.
func Info(w io.Writer, stor zodb.Storage, params []string, warn io.Writer) error {
	withNames := len(params) == 0
	if withNames {
		params = InfoParams()
	}
	todo := make([]*infoParam, len(params))
	for i, name := range params {
		p := lookupInfoParam(name)
		if p == nil {
			return fmt.Errorf("tools: info: invalid parameter %q (known: name, size, head, last_tid)", name)
		}
		todo[i] = p
	}
	for _, p := range todo {
		if p.aliasOf != "" && warn != nil {
			fmt.Fprintf(warn, "W: %s is deprecated alias for %s\n", p.name, p.aliasOf)
		}
		line := p.get(stor) + "\n"
		if withNames {
			line = p.name + "=" + line
		}
		if _, err := io.WriteString(w, line); err != nil {
			return fmt.Errorf("tools: info: %w", err)
		}
	}
	return nil
}

func lookupInfoParam(name string) *infoParam {
	for i := range infoParams {
		if infoParams[i].name == name {
			return &infoParams[i]
		}
	}
	return nil
}
