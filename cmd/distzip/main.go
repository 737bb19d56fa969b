// Command distzip writes a zip the way deployment platforms want it and
// reproducibly: entries at the archive's root, in the order given, mode 0755,
// a fixed modification time, so the same binaries make the same bytes.
//
//	distzip -o dist/lambda-http-arm64.zip dist/lambda-http-arm64/bootstrap
package main

import (
	"archive/zip"
	"compress/flate"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "distzip:", err)
		os.Exit(1)
	}
}

// epoch is the zip format's earliest time: no build time leaks into the bytes.
var epoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

func run(args []string) error {
	fs := flag.NewFlagSet("distzip", flag.ContinueOnError)
	out := fs.String("o", "", "the zip to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() == 0 {
		return errors.New("usage: distzip -o OUT.zip FILE [FILE ...]")
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	// The best compression flate has (archive/zip's default is level 5): a
	// zip is written once and downloaded at every deploy and cold start.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestCompression) })
	for _, name := range fs.Args() {
		if err := add(zw, name); err != nil {
			f.Close()
			return err
		}
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func add(zw *zip.Writer, name string) error {
	src, err := os.Open(name)
	if err != nil {
		return err
	}
	defer src.Close()
	h := &zip.FileHeader{Name: filepath.Base(name), Method: zip.Deflate, Modified: epoch}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, src)
	return err
}
