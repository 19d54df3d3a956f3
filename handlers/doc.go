// Package handlers is Bosang's HTTP layer on gin: each handler parses the
// request, calls one domain service and renders JSON under /api/v1 or an HTML
// page elsewhere. Errors from the domain are mapped to statuses in one place
// (errors.go). It never touches the database directly.
package handlers
