package handlers

import (
	"fmt"
	"io"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
)

// formFile is the file part of a multipart form, read last.
type formFile struct {
	name string
	body io.Reader
	done func()
}

// discard drains and closes the file so the response is not cut off by an
// unread body; the body limit bounds the work.
func (f *formFile) discard() {
	if f == nil {
		return
	}
	io.Copy(io.Discard, f.body) //nolint:errcheck // draining
	if f.done != nil {
		f.done()
	}
}

const (
	maxFieldBytes = 16 << 10
	maxFormBytes  = 64 << 10
)

// readMultipart reads a multipart form's text fields up to the part named
// "file", which it returns unread (nil when no file was chosen), so the file
// streams to the blob store. The CSRF token is checked from the fields read
// before the file. When a middleware has already parsed the form, its
// result is used instead.
func (s *server) readMultipart(c *gin.Context) (url.Values, *formFile, error) {
	return s.readParts(c, true)
}

// readAPIMultipart is readMultipart for the API, whose callers authenticate
// with a bearer token (or, with a session cookie, the CSRF header that
// identify has checked): no form token.
func (s *server) readAPIMultipart(c *gin.Context) (url.Values, *formFile, error) {
	return s.readParts(c, false)
}

func (s *server) readParts(c *gin.Context, formToken bool) (url.Values, *formFile, error) {
	if mf := c.Request.MultipartForm; mf != nil {
		vals := url.Values(mf.Value)
		if fhs := mf.File["file"]; len(fhs) > 0 && fhs[0].Filename != "" {
			f, err := fhs[0].Open()
			if err != nil {
				return nil, nil, err
			}
			return vals, &formFile{name: fhs[0].Filename, body: f, done: func() { f.Close() }}, nil
		}
		return vals, nil, nil
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, nil, fmt.Errorf("multipart/form-data expected: %w", apperr.ErrUnsupportedType)
	}
	vals, total := url.Values{}, 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, &malformed{err}
		}
		if part.FormName() == "file" {
			if part.FileName() == "" { // the file input left empty
				io.Copy(io.Discard, part) //nolint:errcheck // draining
				continue
			}
			if formToken && !s.multipartCSRF(c, vals.Get(csrfField)) {
				return nil, nil, apperr.ErrForbidden
			}
			return vals, &formFile{name: part.FileName(), body: part}, nil
		}
		b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
		if err != nil {
			return nil, nil, &malformed{err}
		}
		if total += len(b); len(b) > maxFieldBytes || total > maxFormBytes {
			return nil, nil, fmt.Errorf("form fields over %d bytes: %w", maxFormBytes, apperr.ErrTooLarge)
		}
		vals.Add(part.FormName(), string(b))
	}
	if formToken && !s.multipartCSRF(c, vals.Get(csrfField)) {
		return nil, nil, apperr.ErrForbidden
	}
	return vals, nil, nil
}

// multipartCSRF checks the CSRF token of a streamed multipart form (header
// or field) without making gin parse the whole body.
func (s *server) multipartCSRF(c *gin.Context, field string) bool {
	seed, err := c.Cookie(csrfCookie)
	if err != nil {
		return false
	}
	return s.csrfMatches(seed, c.GetHeader(csrfHeader)) || s.csrfMatches(seed, field)
}
