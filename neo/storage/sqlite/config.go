package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// Config reads config's key ("" and false when absent). It sees the
// writer's uncommitted changes, as NEO/py's single connection does.
func (db *DB) Config(key string) (string, bool, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.checkOpenLocked(); err != nil {
		return "", false, err
	}
	return db.configLocked(key)
}

// REQUIRES: mu held.
func (db *DB) configLocked(key string) (string, bool, error) {
	var v sql.NullString
	err := db.mu.ws.getConfig.QueryRow(key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, db.errorf("config "+key, err)
	}
	return v.String, v.Valid, nil
}

// SetConfig writes config's key and commits (NEO/py's setConfiguration);
// a nil value deletes it.
func (db *DB) SetConfig(key string, value *string) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.beginLocked(syncFull); err != nil {
		return err
	}
	if err := db.setConfigLocked(key, value); err != nil {
		return err
	}
	return db.commitLocked(syncFull)
}

// REQUIRES: mu held, transaction open.
func (db *DB) setConfigLocked(key string, value *string) error {
	var err error
	if value == nil {
		_, err = db.mu.ws.delConfig.Exec(key)
	} else {
		_, err = db.mu.ws.setConfig.Exec(key, *value)
	}
	if err != nil {
		return db.errorf("set config "+key, err)
	}
	return nil
}

// Name is the cluster's name ("" when unset).
func (db *DB) Name() (string, error) {
	v, _, err := db.Config("name")
	return v, err
}

// SetName stores the cluster's name.
func (db *DB) SetName(name string) error { return db.SetConfig("name", &name) }

// NID is the node's id (proto.NoNID when unset).
func (db *DB) NID() (proto.NID, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.checkOpenLocked(); err != nil {
		return proto.NoNID, err
	}
	return db.nidLocked()
}

// REQUIRES: mu held.
func (db *DB) nidLocked() (proto.NID, error) {
	v, ok, err := db.configLocked("nid")
	if err != nil || !ok {
		return proto.NoNID, err
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return proto.NoNID, db.errorf("config nid", fmt.Errorf("invalid value %q", v))
	}
	return proto.NID(n), nil
}

// SetNID stores the node's id; the cells of the previous id become the
// new id's (NEO/py's setUUID).
func (db *DB) SetNID(nid proto.NID) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.beginLocked(syncFull); err != nil {
		return err
	}
	old, err := db.nidLocked()
	if err != nil {
		return err
	}
	if old == nid {
		return nil
	}
	if old != proto.NoNID {
		// The new id's cells, if any, give way to the old id's.
		ctx := context.Background()
		if _, err := db.mu.w.ExecContext(ctx, "DELETE FROM pt WHERE nid=? AND partition IN"+
			" (SELECT partition FROM pt WHERE nid=?)", int64(nid), int64(old)); err != nil {
			return db.errorf("set nid", err)
		}
		if _, err := db.mu.w.ExecContext(ctx,
			"UPDATE pt SET nid=? WHERE nid=?", int64(nid), int64(old)); err != nil {
			return db.errorf("set nid", err)
		}
	}
	v := strconv.Itoa(int(nid))
	if err := db.setConfigLocked("nid", &v); err != nil {
		return err
	}
	if err := db.commitLocked(syncFull); err != nil {
		return err
	}
	return db.loadLayoutLocked()
}
