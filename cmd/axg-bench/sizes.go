package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

func sizes(out io.Writer, dist string) error {
	files, err := filepath.Glob(filepath.Join(dist, "*", "*"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no deployables under %s: run make build first", dist)
	}
	zips, _ := filepath.Glob(filepath.Join(dist, "*.zip"))
	files = append(files, zips...)
	sort.Strings(files)
	fmt.Fprintf(out, "## Deployable sizes (make build)\n\n| file | MB |\n|---|---:|\n")
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil || st.IsDir() {
			continue
		}
		rel, _ := filepath.Rel(dist, f)
		if filepath.Dir(rel) == "local" {
			continue // the development server, built for the load runs: not deployed
		}
		fmt.Fprintf(out, "| %s | %.2f |\n", rel, float64(st.Size())/1e6)
	}
	fmt.Fprintln(out)
	return nil
}
