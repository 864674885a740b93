package fs1

// ReadOnly reports whether the storage was opened read-only (ZODB's
// isReadOnly): its write methods then fail with zodb.ErrReadOnly.
func (fs *FileStorage) ReadOnly() bool { return fs.readOnly }
