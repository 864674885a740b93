package main

// The storage drivers every zodb command knows, besides FileStorage.
import _ "github.com/zodbneo/zodbneo/neo/client"
