package handlers

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/handlers/request"
)

// errorBody is API.md's error shape.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// fielder is implemented by errors that name the fields at fault.
type fielder interface {
	Fields() map[string]apperr.Message
}

// malformed marks a request the server could not parse at all (400).
type malformed struct{ err error }

func (m *malformed) Error() string { return "malformed request: " + m.err.Error() }
func (m *malformed) Unwrap() error { return m.err }

type mapping struct {
	status int
	code   string
	msg    apperr.Message
}

// classify maps an error to its status, code and generic message. Unknown
// errors are internal: 500 with a message that shows nothing of them.
func classify(err error) mapping {
	var mb *http.MaxBytesError
	var mal *malformed
	switch {
	case errors.As(err, &mb), errors.Is(err, apperr.ErrTooLarge):
		return mapping{413, "too_large", apperr.M("handlers.api.too_large")}
	case errors.As(err, &mal):
		return mapping{400, "malformed_request", apperr.M("handlers.api.malformed_request")}
	case errors.Is(err, apperr.ErrUnsupportedType):
		return mapping{415, "unsupported_media_type", apperr.M("handlers.api.unsupported_media_type")}
	case errors.Is(err, apperr.ErrInvalid):
		return mapping{422, "validation_failed", apperr.M("handlers.api.validation_failed")}
	case errors.Is(err, apperr.ErrUnauthenticated):
		return mapping{401, "unauthenticated", apperr.M("handlers.api.unauthenticated")}
	case errors.Is(err, apperr.ErrForbidden):
		return mapping{403, "forbidden", apperr.M("handlers.api.forbidden")}
	case errors.Is(err, apperr.ErrNotFound):
		return mapping{404, "not_found", apperr.M("handlers.api.not_found")}
	case errors.Is(err, apperr.ErrConflict):
		return mapping{409, "conflict", apperr.M("handlers.api.conflict")}
	case errors.Is(err, apperr.ErrPreconditionFailed):
		return mapping{412, "precondition_failed", apperr.M("handlers.api.precondition_failed")}
	case errors.Is(err, apperr.ErrPreconditionNeeded):
		return mapping{428, "precondition_required", apperr.M("handlers.api.precondition_required")}
	case errors.Is(err, apperr.ErrTooManyRequests):
		return mapping{429, "rate_limited", apperr.M("handlers.api.rate_limited")}
	case errors.Is(err, apperr.ErrUnavailable):
		return mapping{503, "unavailable", apperr.M("handlers.api.unavailable")}
	}
	return mapping{500, "internal", apperr.M("handlers.api.internal")}
}

// coder is implemented by errors that carry their own error code.
type coder interface{ Code() string }

// fail renders err as JSON under /api and as an error page elsewhere, sets
// Retry-After for rate limits, logs internal errors with the request id, and
// aborts the chain.
func (s *server) fail(c *gin.Context, err error) {
	status, body := s.apiError(c, err)
	if !strings.HasPrefix(c.Request.URL.Path, "/api/") {
		s.errorPage(c, status)
		return
	}
	c.AbortWithStatusJSON(status, body)
}

// apiError logs err as needed, sets Retry-After, and returns the status and
// API.md error body for it.
func (s *server) apiError(c *gin.Context, err error) (int, errorBody) {
	m := classify(err)
	var rl *apperr.RateLimited
	if errors.As(err, &rl) {
		c.Header("Retry-After", strconv.Itoa(rl.RetryAfterSeconds))
	}
	if m.status >= 500 {
		s.log.ErrorContext(c.Request.Context(), "request failed", "request_id", requestID(c), "err", err)
	}
	c.Error(err) //nolint:errcheck // recorded for the access log
	lang := s.lang(c)
	body := errorBody{Error: errorDetail{Code: m.code, Message: m.msg.In(lang)}}
	var cd coder
	if m.status < 500 && errors.As(err, &cd) && cd.Code() != "" {
		body.Error.Code = cd.Code()
	}
	var ex *apperr.Explained
	if m.status < 500 && errors.As(err, &ex) {
		body.Error.Message = ex.Message().In(lang)
	}
	var ve *apperr.ValidationError
	var fe fielder
	switch {
	case errors.As(err, &ve):
		body.Error.Fields = localize(ve.Fields, lang)
	case errors.As(err, &fe):
		body.Error.Fields = localize(fe.Fields(), lang)
	}
	return m.status, body
}

func localize(fields map[string]apperr.Message, lang string) map[string]string {
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		out[k] = v.In(lang)
	}
	return out
}

// bindJSON decodes the body, one JSON value and nothing after it, into dst
// (request.DecodeJSON): 400 for a syntax error or trailing data, 422 naming
// a field of the wrong type. A wrong content type is 415; an oversized body 413.
func bindJSON(c *gin.Context, dst any) error {
	if ct := c.ContentType(); ct != "" && ct != "application/json" {
		return fmt.Errorf("content type %q, want application/json: %w", ct, apperr.ErrUnsupportedType)
	}
	body, err := io.ReadAll(c.Request.Body)
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &mb):
		return err
	case err != nil:
		return &malformed{err}
	}
	return decodeJSON(body, dst)
}

// decodeJSON decodes body into dst: one JSON value and nothing after it
// (request.DecodeJSON), a syntax error malformed (400).
func decodeJSON(body []byte, dst any) error {
	err := request.DecodeJSON(body, dst)
	var m *request.Malformed
	if errors.As(err, &m) {
		return &malformed{m.Err}
	}
	return err
}

var (
	errNoRoute = fmt.Errorf("no such route: %w", apperr.ErrNotFound)
	errPanic   = errors.New("handler panicked")
)
