package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/zodb"
)

// newHelpTopics returns the topics `zodb help <topic>` explains: commands
// without a Run, which cobra lists as additional help topics.
func newHelpTopics() []*cobra.Command {
	return []*cobra.Command{
		{Use: "zurl", Short: "specifying database URL", Long: helpZurl()},
		{Use: "tidrange", Short: "specifying history range", Long: helpTidrange},
		{Use: "xid", Short: "specifying object address", Long: helpXid},
	}
}

// helpZurl lists the URL schemes of the drivers linked into this binary.
func helpZurl() string {
	return `Almost every zodb command works with a database, named by the URL of
its storage:

    /path/to/data.fs                  a FileStorage (a plain path)
    file:///path/to/data.fs           the same, as a URL
    neo://<db>@<master>[,<master>]    a NEO database

Schemes known to this zodb: ` + strings.Join(zodb.Schemes(), ", ") + `.

Commands that only read a database (info, dump, catobj, analyze, cmp, and
convert for its source) open it read-only; restore, commit and convert's
destination open it for writing, unless the URL's query says read_only=true
(file:///path/to/data.fs?read_only=true), as zodburi reads it.
`
}

const helpTidrange = `Many zodb commands can work on a range of database history, given as

    tidmin..tidmax

meaning the transactions with tidmin <= tid <= tidmax. Either end may be
left out: tidmin then defaults to the start of history and tidmax to its end.

Each end is either

    - a transaction ID: 16 hexadecimal digits, e.g. 0285cbac258bf266
    - an absolute time, RFC 3339 or RFC 822, e.g. 2018-01-01T10:30:00Z
    - a relative time, e.g. yesterday, 1.week.ago, 3_days_ago

Examples:

    ..                                  the whole history
    000000000000aaaa..                  from 000000000000aaaa to the end
    ..000000000000bbbb                  from the start to 000000000000bbbb
    000000000000aaaa..000000000000bbbb  from 000000000000aaaa to 000000000000bbbb
    1985-04-12T23:20:50.52Z..2018-01-01T10:30:00Z
                                        between those two times (UTC)
    1_week_ago..yesterday               from one week ago until yesterday

A command given no tidrange works on the whole history.
`

const helpXid = `An object revision is addressed by an xid, in either form:

    <oid>@<tid>     e.g. 0000000000000001@0285cbac258bf266
    <tid>:<oid>     zodbtools' form, e.g. 0285cbac258bf266:0x01

the revision of object <oid> that was current as of transaction <tid>. The
oid is 16 hexadecimal digits, or 0x and fewer digits; in the <tid>:<oid>
form the tid may also be a date, as in a tidrange (see 'zodb help tidrange').
`
