package request

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/bosang/bosang/apperr"
)

// Malformed is a request the server could not parse at all; handlers
// answer it with 400.
type Malformed struct{ Err error }

// Error says what could not be parsed.
func (m *Malformed) Error() string { return "malformed request: " + m.Err.Error() }

// Unwrap returns the parse error.
func (m *Malformed) Unwrap() error { return m.Err }

// DecodeJSON decodes body into dst. An empty body, a syntax error and
// anything but white space after the value ("{...}xyz", or a second
// object) are a *Malformed (400): json.Unmarshal refuses trailing data,
// where a streaming decoder would stop after the first value and ignore
// the rest. A value of the wrong type is an *apperr.ValidationError (422)
// naming the field.
func DecodeJSON(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return &Malformed{errors.New("empty body")}
	}
	err := json.Unmarshal(body, dst)
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return apperr.InvalidMsg(field, apperr.M("request.wrong_type"))
	}
	return &Malformed{err}
}
