// Package match decides which OSV advisories affect a component: it maps a
// purl to the OSV package it names (PackageOf), orders versions the way
// each ecosystem does (through osv-scalibr's semantic package), and
// evaluates an advisory's affected ranges and versions list for a version
// (Compile, then Compiled.Affects) by OSV's evaluation algorithm.
//
// It reads no files and keeps no state: the caller indexes advisories by
// KeyOf(ecosystem, name), compiles each affected package once and asks
// each component's version of it.
package match
