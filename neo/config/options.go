package config

// Kind is the kind of node a set of options configures; it is also the
// default section read from a configuration file (NEO/py's -s default).
type Kind string

// The node kinds.
const (
	Master  Kind = "master"
	Storage Kind = "storage"
	Admin   Kind = "admin"
)

// Type is how an option's value is read.
type Type int

const (
	String Type = iota // any non-empty string
	Path               // a path: ~ and ~user expanded; may be empty
	Int                // a Python int
	Float              // a Python float
	Bool               // a flag on the command line, a boolean in a file
)

// Support says what zodbneo does with an option NEO/py has.
type Support int

const (
	// Supported options are honoured.
	Supported Support = iota
	// Ignored options have no effect here (what they tune does not exist
	// in zodbneo): a value is accepted, with a warning, so a NEO/py
	// configuration keeps working.
	Ignored
	// Unsupported options name a feature zodbneo lacks: setting one is an
	// error rather than a node that silently behaves differently.
	Unsupported
)

// Option is one option as NEO/py declares it (neo/lib/app.py, neo/*/app.py).
type Option struct {
	Short   string // one letter, or ""
	Name    string // long name, with dashes; a file spells it with underscores
	Type    Type
	Default string // "" with HasDefault false: absent unless given
	// HasDefault: Default applies when neither the command line nor the
	// file gives the option.
	HasDefault bool
	Required   bool // unless a configuration file gives it
	Multiple   bool // repeatable on the command line, one per line in a file
	AllowEmpty bool // a String that may be "" (a master's -m)
	Choices    []string
	Metavar    string
	Help       string
	Support    Support
}

// FileKey is the option's name in a configuration file.
func (o *Option) FileKey() string {
	b := []byte(o.Name)
	for i, c := range b {
		if c == '-' {
			b[i] = '_'
		}
	}
	return string(b)
}

// Option names used by the code.
const (
	optFile      = "file"
	optSection   = "section"
	optCluster   = "cluster"
	optMasters   = "masters"
	optBind      = "bind"
	optLogfile   = "logfile"
	optLoglevel  = "loglevel"
	optCA        = "ca"
	optCert      = "cert"
	optKey       = "key"
	optAutostart = "autostart"
	optReplicas  = "replicas"
	optParts     = "partitions"
	optAdapter   = "adapter"
	optDatabase  = "database"
	optReset     = "reset"
	optDedup     = "dedup"
)

// Adapters are NEO/py's storage database adapters (DATABASE_MANAGERS);
// zodbneo has SQLite only.
var Adapters = []string{"Importer", "MySQL", "MySQLdb", "PyMySQL", "SQLite"}

// DefaultAdapter is the storage's -a default. NEO/py's is MySQL, which
// zodbneo lacks: the default is the adapter zodbneo has.
const DefaultAdapter = "SQLite"

// Options returns the options of a node of kind k, in NEO/py's order:
// the common ones (-l, --ca, --cert, --key), the server-node group (-f,
// -s, -c, -m, -b, -D), then the node's own.
func Options(k Kind) []Option {
	opts := commonOptions()
	switch k {
	case Master:
		opts = append(opts, serverOptions(k, "127.0.0.1:10000", "", false)...)
		opts = append(opts, masterOptions()...)
	case Storage:
		opts = append(opts, serverOptions(k, "127.0.0.1", "127.0.0.1:10000", true)...)
		opts = append(opts, storageOptions()...)
	case Admin:
		opts = append(opts, serverOptions(k, "127.0.0.1:9999", "127.0.0.1:10000", true)...)
		opts = append(opts, adminOptions()...)
	}
	return opts
}

func commonOptions() []Option {
	return []Option{
		{Short: "l", Name: optLogfile, Type: Path, Metavar: "FILE",
			Help: "log to FILE (text, one record a line; NEO/py writes an SQLite log)"},
		{Name: optLoglevel, Type: String, Default: "info", HasDefault: true, Metavar: "LEVEL",
			Choices: []string{"debug", "info", "warn", "error"},
			Help:    "least severe records logged (zodbneo only)"},
		{Name: optCA, Type: Path, Metavar: "FILE", Help: "(TLS) certificate authority in PEM format"},
		{Name: optCert, Type: Path, Metavar: "FILE", Help: "(TLS) certificate in PEM format"},
		{Name: optKey, Type: Path, Metavar: "FILE", Help: "(TLS) private key in PEM format"},
	}
}

// serverOptions is NEO/py's addCommonServerOptions. A master's -m may be
// empty (no other master); the others default to a master on localhost.
func serverOptions(k Kind, bind, masters string, hasMasters bool) []Option {
	return []Option{
		{Short: "f", Name: optFile, Type: Path, Metavar: "FILE", Help: "configuration file (neo.conf)"},
		{Short: "s", Name: optSection, Type: String, Default: string(k), HasDefault: true, Metavar: "SECTION",
			Help: "section of the configuration file to read"},
		{Short: "c", Name: optCluster, Type: String, Required: true, Metavar: "NAME", Help: "the cluster name"},
		{Short: "m", Name: optMasters, Type: String, Default: masters, HasDefault: hasMasters, AllowEmpty: !hasMasters, Metavar: "ADDRS",
			Help: "space-separated list of master node addresses (host:port)"},
		{Short: "b", Name: optBind, Type: String, Default: bind, HasDefault: true, Metavar: "ADDR",
			Help: "the local address to bind to (host[:port]; port 0 or none: any free port)"},
		{Short: "D", Name: "dynamic-master-list", Type: Path, Metavar: "FILE", Support: Ignored,
			Help: "path of the file containing dynamic master node list (ignored)"},
	}
}

func masterOptions() []Option {
	return []Option{
		{Short: "A", Name: optAutostart, Type: Int, Metavar: "N",
			Help: "minimum number of pending storage nodes to automatically start a new cluster " +
				"(to avoid an unwanted recreation of the cluster, the total number of storage nodes)"},
		{Short: "C", Name: "upstream-cluster", Type: String, Metavar: "NAME", Support: Unsupported,
			Help: "the name of the cluster to back up (backup mode: not supported)"},
		{Short: "M", Name: "upstream-masters", Type: String, Metavar: "ADDRS", Support: Unsupported,
			Help: "masters of the cluster to back up (backup mode: not supported)"},
		{Short: "B", Name: "backup", Type: Bool, Support: Unsupported,
			Help: "start in BACKINGUP state (backup mode: not supported)"},
		{Short: "i", Name: "nid", Type: Int, Metavar: "NID", Support: Unsupported,
			Help: "NID to use for this process (testing purpose; not supported)"},
		{Short: "r", Name: optReplicas, Type: Int, Default: "0", HasDefault: true, Metavar: "N",
			Help: "replicas number (for a new partition table)"},
		{Short: "p", Name: optParts, Type: Int, Default: "100", HasDefault: true, Metavar: "N",
			Help: "partitions number (for a new partition table)"},
	}
}

func storageOptions() []Option {
	return []Option{
		{Short: "a", Name: optAdapter, Type: String, Default: DefaultAdapter, HasDefault: true,
			Choices: Adapters, Metavar: "ADAPTER", Help: "database adapter to use (zodbneo: SQLite)"},
		{Short: "d", Name: optDatabase, Type: String, Required: true, Metavar: "DB",
			Help: "database connection string (SQLite: the database file)"},
		{Short: "w", Name: "wait", Type: Float, Default: "0", HasDefault: true, Metavar: "SECONDS", Support: Ignored,
			Help: "seconds to wait for the backend to be available (ignored: SQLite is always available)"},
		{Name: "disable-pack", Type: Bool, Support: Ignored, Help: "do not process any pack order (ignored)"},
		{Name: "disable-drop-partitions", Type: Bool, Support: Ignored,
			Help: "do not delete data of discarded cells (ignored)"},
		{Name: "new-nid", Type: Bool, Support: Unsupported,
			Help: "request a new NID from an operational cluster and exit (not supported)"},
		{Short: "i", Name: "nid", Type: Int, Metavar: "NID", Support: Unsupported,
			Help: "NID to use for this process (testing purpose; not supported)"},
		{Short: "e", Name: "engine", Type: String, Metavar: "ENGINE", Support: Ignored,
			Help: "database engine (MySQL only: ignored)"},
		{Name: optDedup, Type: Bool, Help: "enable deduplication of data when setting up a new storage node"},
		{Name: optReset, Type: Bool, Help: "remove an existing database if any, and exit"},
	}
}

func adminOptions() []Option {
	const hint = " (the option can be repeated; ignored)"
	return []Option{
		{Name: "monitor-maxlag", Type: Float, Default: "0", HasDefault: true, Metavar: "SECONDS", Support: Ignored,
			Help: "warn if a backup cluster is too late at replicating upstream (ignored)"},
		{Name: "monitor-email", Type: String, Multiple: true, Metavar: "ADDR", Support: Ignored,
			Help: "recipient email for notifications" + hint},
		{Name: "monitor-backup", Type: String, Multiple: true, Metavar: "NAME", Support: Ignored,
			Help: "name of backup cluster to monitor" + hint},
		{Name: "smtp", Type: String, Metavar: "HOST[:PORT]", Support: Ignored, Help: "SMTP for email notifications (ignored)"},
		{Name: "smtp-tls", Type: Bool, Support: Ignored, Help: "use STARTTLS (ignored)"},
		{Name: "smtp-auth", Type: String, Metavar: "USER:PASS", Support: Ignored, Help: "SMTP credentials (ignored)"},
		{Short: "i", Name: "nid", Type: Int, Metavar: "NID", Support: Unsupported,
			Help: "NID to use for this process (testing purpose; not supported)"},
	}
}
