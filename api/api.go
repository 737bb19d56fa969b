// Package api is the binder's HTTP API as a document: OpenAPI 3.1, every
// route, body, answer, error and security scheme (docs/http-api.md says the
// same in prose). The local server serves it at GET /openapi.json, and the
// tests check every answer they receive against it, so it cannot drift.
package api

import _ "embed"

// OpenAPI is the document, JSON.
//
//go:embed openapi.json
var OpenAPI []byte
