// Package version holds the build version stamped by the Makefile (-X ...version.Version=...).
package version

// Version is the fedcost version, "dev" for plain `go build`.
var Version = "dev"
