package storage

import (
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/neo/storage/sqlite"
)

// SQLite is NEO/py's default adapter and the only one for now.
func init() {
	RegisterAdapter("SQLite", func(path string, reset, dedup bool) (backend.Backend, error) {
		db, err := sqlite.Open(path, sqlite.Options{Reset: reset, Dedup: dedup})
		if err != nil {
			return nil, err
		}
		return db, nil
	})
}
