// Package request reads what a client sends that needs more than gin to
// parse safely: a JSON body (exactly one value, nothing after it) and an
// If-Match field (RFC 9110 §13.1.1). It imports no gin and no store, so its
// fuzz targets build quickly; package handlers wraps it.
package request
