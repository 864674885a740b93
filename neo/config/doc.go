// Package config reads a NEO node's configuration as NEO/py does: the
// command-line options of neomaster, neostorage and neoadmin (same long
// names, short letters and defaults: neo/lib/app.py, neo/master/app.py,
// neo/storage/app.py, neo/admin/app.py) and the neo.conf file they read
// with -f FILE from section -s SECTION (neo/lib/config.py).
//
// As in NEO/py, a value on the command line wins over the file's, which
// wins over the default; the file is an INI file as Python's
// configparser reads it (see File), its option names spelled with
// underscores (disable_pack for --disable-pack), and options of the
// DEFAULT section seen by every section, so one neo.conf serves every node
// of a cluster. Options NEO/py has and zodbneo lacks are accepted when
// harmless (with a warning) and refused when they ask for a missing
// feature (backup mode, MySQL), so a NEO/py deployment swaps binaries
// without touching its configuration or silently changing behaviour.
//
// Typical use, by a command:
//
//	args := config.AddFlags(config.Storage, cmd.Flags())
//	... parse ...
//	s, err := config.Resolve(config.Storage, args())
//	log, closer, err := config.OpenLog(s.LogFile, s.LogLevel, os.Stderr)
//	common, err := s.Common(log) // TLS files loaded here
//	node, err := storage.New(s.StorageConfig(common))
package config
