// Package storagetest is a test suite that every zodb.Storage driver runs
// against itself: it reads a database through the driver and checks that
// what Load, History and Iterate answer agrees with itself, so that the
// same checks cover FileStorage, NEO and any later driver.
//
// The suite takes the transactions that iteration yields as the truth and
// checks every other answer against them: each record loads at its
// transaction, undo records load the data they point to, the last record
// of each object is what loads at head, history lists exactly the
// object's records, ranged iteration yields exactly the transactions in
// the range.
package storagetest
