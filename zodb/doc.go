// Package zodb is zodbneo's core model of a ZODB database: transaction and
// object identifiers, their text forms, tid ⇄ time conversion, tid ranges,
// the interfaces every storage driver implements, the URL registry that maps
// a scheme to a driver, and the typed errors drivers return.
//
// The model follows Python ZODB (ZODB.interfaces, ZODB.utils, ZODB.TimeStamp)
// and zodbtools (zodbtools/util.py), so that text read or printed here means
// exactly what it means to the Python tools.
package zodb
