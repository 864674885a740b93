package backend

// Keep the storage's dependencies in go.mod while the packages using
// them are written (removed once neo/storage/sqlite imports them).
import (
	_ "github.com/klauspost/compress/zlib"
	_ "modernc.org/sqlite"
)
