// Package releasecheck tests what ships: it runs make build, checks that the
// deployment descriptors name exactly what was built, and runs the built
// binaries under their platforms' runtime protocols against fakes of those
// runtime APIs and the upstream emulator. Its tests build every
// deployable, twice, so they are behind the release tag: make test runs
// them (make release-check alone), go test ./... does not.
package releasecheck
