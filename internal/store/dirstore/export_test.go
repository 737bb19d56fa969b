package dirstore

// SetCompactBytes lowers the size that compacts the log, for a test.
func SetCompactBytes(n int64) (restore func()) {
	old := compactBytes
	compactBytes = n
	return func() { compactBytes = old }
}
