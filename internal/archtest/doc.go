// Package archtest holds the test that keeps the packages to the import
// rules of ARCHITECTURE.md ("Who may import whom"); it has no code of its own.
package archtest
