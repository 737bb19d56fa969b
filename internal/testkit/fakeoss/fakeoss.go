// Package fakeoss is an in-memory OSS endpoint speaking the REST protocol the
// official Go SDK (alibabacloud-oss-go-sdk-v2) uses for objects, path-style:
// PutObject (with x-oss-forbid-overwrite), GetObject (with ranges; an invalid
// one answers the whole object unless x-oss-range-behavior is standard, as OSS does),
// HeadObject, AppendObject (with the position check), DeleteObject and
// ListObjectsV2 (one page). It does not check signatures. Tests give
// its URL to the SDK as the endpoint.
package fakeoss

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash/crc64"
	"html"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

type object struct {
	data       []byte
	appendable bool
	modified   time.Time
}

// Server holds buckets of objects.
type Server struct {
	mu      sync.Mutex
	objects map[string]*object // "bucket/key"
	// Requests counts requests per method, for tests.
	Requests map[string]int
}

// New returns an empty server.
func New() *Server { return &Server{objects: map[string]*object{}, Requests: map[string]int{}} }

// Put stores an object directly (a test's input file).
func (s *Server) Put(bucket, key string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[bucket+"/"+key] = &object{data: data, modified: time.Now()}
	return etag(data)
}

// Get returns an object's bytes, or nil.
func (s *Server) Get(bucket, key string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.objects[bucket+"/"+key]; o != nil {
		return append([]byte(nil), o.data...)
	}
	return nil
}

// list answers ListObjectsV2 for bucket: every key with the prefix, in
// order, in one page.
func (s *Server) list(w http.ResponseWriter, bucket, prefix string) {
	var keys []string
	for k := range s.objects {
		if key, ok := strings.CutPrefix(k, bucket+"/"); ok && strings.HasPrefix(key, prefix) {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<ListBucketResult><Name>")
	_ = xml.EscapeText(&b, []byte(bucket))
	b.WriteString("</Name><Prefix>")
	_ = xml.EscapeText(&b, []byte(prefix))
	fmt.Fprintf(&b, "</Prefix><MaxKeys>1000</MaxKeys><KeyCount>%d</KeyCount><IsTruncated>false</IsTruncated>", len(keys))
	for _, k := range keys {
		o := s.objects[bucket+"/"+k]
		b.WriteString("<Contents><Key>")
		_ = xml.EscapeText(&b, []byte(k))
		fmt.Fprintf(&b, "</Key><LastModified>%s</LastModified><ETag>%s</ETag><Size>%d</Size><StorageClass>Standard</StorageClass></Contents>",
			o.modified.UTC().Format("2006-01-02T15:04:05.000Z"), html.EscapeString(etag(o.data)), len(o.data))
	}
	b.WriteString("</ListBucketResult>")
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, b.String())
}

var table = crc64.MakeTable(crc64.ECMA)

func etag(b []byte) string {
	sum := md5.Sum(b)
	return `"` + strings.ToUpper(hex.EncodeToString(sum[:])) + `"`
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-oss-request-id", fmt.Sprintf("fake-%d", time.Now().UnixNano()))
	name := strings.TrimPrefix(r.URL.Path, "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Requests[r.Method]++
	o := s.objects[name]
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodGet && q.Get("list-type") == "2" && !strings.Contains(strings.TrimSuffix(name, "/"), "/"):
		s.list(w, strings.TrimSuffix(name, "/"), q.Get("prefix"))
	case r.Method == http.MethodPut:
		if o != nil && r.Header.Get("x-oss-forbid-overwrite") == "true" {
			s.fail(w, http.StatusConflict, "FileAlreadyExists", "The object you specified already exists and can not be overwritten.")
			return
		}
		body, _ := io.ReadAll(r.Body)
		o = &object{data: body, modified: time.Now()}
		s.objects[name] = o
		s.headers(w, o)
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodPost && q.Has("append"):
		pos, err := strconv.ParseInt(q.Get("position"), 10, 64)
		if err != nil {
			s.fail(w, http.StatusBadRequest, "InvalidArgument", "position is not a number")
			return
		}
		if o == nil {
			o = &object{appendable: true}
		}
		if !o.appendable {
			s.fail(w, http.StatusConflict, "ObjectNotAppendable", "The object is not appendable")
			return
		}
		if pos != int64(len(o.data)) {
			w.Header().Set("x-oss-next-append-position", strconv.Itoa(len(o.data)))
			s.fail(w, http.StatusConflict, "PositionNotEqualToLength", "Position is not equal to file length")
			return
		}
		body, _ := io.ReadAll(r.Body)
		o.data = append(o.data, body...)
		o.modified = time.Now()
		s.objects[name] = o
		s.headers(w, o)
		w.Header().Set("x-oss-next-append-position", strconv.Itoa(len(o.data)))
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		if o == nil {
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			s.fail(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
			return
		}
		data, status := o.data, http.StatusOK
		if rg := r.Header.Get("Range"); rg != "" && r.Method == http.MethodGet {
			from, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(rg, "bytes="), "-"))
			switch {
			case (err != nil || from >= len(o.data)) && r.Header.Get("x-oss-range-behavior") == "standard":
				s.fail(w, http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range cannot be satisfied")
				return
			case err != nil || from >= len(o.data):
				// OSS's default: an invalid range is ignored, and the whole
				// object comes back (x-oss-range-behavior: standard says 416).
				s.headers(w, o)
			default:
				w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, len(o.data)-1, len(o.data)))
				data, status = o.data[from:], http.StatusPartialContent
			}
		} else {
			s.headers(w, o)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Header().Set("ETag", etag(o.data))
		w.Header().Set("Last-Modified", o.modified.UTC().Format(http.TimeFormat))
		w.WriteHeader(status)
		if r.Method == http.MethodGet {
			_, _ = io.Copy(w, bytes.NewReader(data))
		}
	case r.Method == http.MethodDelete:
		delete(s.objects, name)
		w.WriteHeader(http.StatusNoContent)
	default:
		s.fail(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "not supported by the fake")
	}
}

func (s *Server) headers(w http.ResponseWriter, o *object) {
	w.Header().Set("ETag", etag(o.data))
	w.Header().Set("x-oss-hash-crc64ecma", strconv.FormatUint(crc64.Checksum(o.data, table), 10))
	if o.appendable {
		w.Header().Set("x-oss-object-type", "Appendable")
	} else {
		w.Header().Set("x-oss-object-type", "Normal")
	}
}

func (s *Server) fail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>%s</Code><Message>%s</Message><RequestId>%s</RequestId><HostId>fake-oss</HostId><EC>0000-00000000</EC></Error>`,
		code, msg, w.Header().Get("x-oss-request-id"))
}
