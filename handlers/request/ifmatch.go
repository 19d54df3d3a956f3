package request

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bosang/bosang/apperr"
)

// ETag is the entity tag of a resource at version: strong, the version
// in quotes ("3").
func ETag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// IfMatch is an If-Match header field (RFC 9110 §13.1.1) read for this
// server's entity tags, which are strong and carry a version ("3"). It uses
// the strong comparison, so a weak tag matches nothing; neither does a tag
// the server never issued or a member that is not an entity tag at all.
type IfMatch struct {
	Present  bool
	Any      bool  // "*": any current representation
	Versions []int // the strong tags that name a version
}

// ParseIfMatch reads a field value: "*" or a comma-separated list of entity
// tags, strong ("3") or weak (W/"3"); an opaque tag may itself hold commas.
func ParseIfMatch(v string) IfMatch {
	m := IfMatch{Present: strings.TrimSpace(v) != ""}
	for rest := v; rest != ""; {
		rest = strings.TrimLeft(rest, " \t,")
		switch {
		case rest == "":
		case rest[0] == '*':
			m.Any, rest = true, rest[1:]
		case strings.HasPrefix(rest, `W/"`), rest[0] == '"':
			weak := rest[0] == 'W'
			rest = rest[strings.IndexByte(rest, '"')+1:]
			end := strings.IndexByte(rest, '"')
			if end < 0 { // unterminated: matches nothing
				return m
			}
			if n, err := strconv.Atoi(rest[:end]); err == nil && !weak && n >= 0 && ETag(n) == `"`+rest[:end]+`"` {
				m.Versions = append(m.Versions, n)
			}
			rest = rest[end+1:]
		default: // not an entity tag: skip to the next member
			if i := strings.IndexByte(rest, ','); i >= 0 {
				rest = rest[i:]
			} else {
				rest = ""
			}
		}
	}
	return m
}

// Version evaluates the condition for a resource whose current version
// current reads; an error of current (the resource is not there: 404) comes
// before the condition. It returns nil when there is no field; else the
// version the change must be made on: the one tag listed (which the service
// compares with the stored version, atomically with the change), or for "*"
// or a list the current version when it matches. A field that can match no
// version of the resource is apperr.ErrPreconditionFailed (412).
func (m IfMatch) Version(current func() (int, error)) (*int, error) {
	if !m.Present {
		return nil, nil
	}
	if !m.Any && len(m.Versions) == 1 {
		return &m.Versions[0], nil
	}
	cur, err := current()
	if err != nil {
		return nil, err
	}
	if m.Any || slices.Contains(m.Versions, cur) {
		return &cur, nil
	}
	return nil, fmt.Errorf("If-Match names no tag of version %d: %w", cur, apperr.ErrPreconditionFailed)
}
