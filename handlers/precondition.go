package handlers

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
)

func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// ifMatch is an If-Match header field (RFC 9110 §13.1.1) read for this
// server's entity tags, which are strong and carry a version ("3"). It uses
// the strong comparison, so a weak tag matches nothing; neither does a tag
// the server never issued or a member that is not an entity tag at all.
type ifMatch struct {
	present  bool
	any      bool  // "*": any current representation
	versions []int // the strong tags that name a version
}

// readIfMatch reads the If-Match field of c; an empty field is no field.
func readIfMatch(c *gin.Context) ifMatch {
	return parseIfMatch(strings.Join(c.Request.Header.Values("If-Match"), ","))
}

// parseIfMatch reads a field value: "*" or a comma-separated list of entity
// tags, strong ("3") or weak (W/"3"); an opaque tag may itself hold commas.
func parseIfMatch(v string) ifMatch {
	m := ifMatch{present: strings.TrimSpace(v) != ""}
	for rest := v; rest != ""; {
		rest = strings.TrimLeft(rest, " \t,")
		switch {
		case rest == "":
		case rest[0] == '*':
			m.any, rest = true, rest[1:]
		case strings.HasPrefix(rest, `W/"`), rest[0] == '"':
			weak := rest[0] == 'W'
			rest = rest[strings.IndexByte(rest, '"')+1:]
			end := strings.IndexByte(rest, '"')
			if end < 0 { // unterminated: matches nothing
				return m
			}
			if n, err := strconv.Atoi(rest[:end]); err == nil && !weak && n >= 0 && etag(n) == `"`+rest[:end]+`"` {
				m.versions = append(m.versions, n)
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

// version evaluates the condition for a resource whose current version
// current reads; an error of current (the resource is not there: 404) comes
// before the condition. It returns nil when there is no field; else the
// version the change must be made on: the one tag listed (which the service
// compares with the stored version, atomically with the change), or for "*"
// or a list the current version when it matches. A field that can match no
// version of the resource is apperr.ErrPreconditionFailed (412).
func (m ifMatch) version(current func() (int, error)) (*int, error) {
	if !m.present {
		return nil, nil
	}
	if !m.any && len(m.versions) == 1 {
		return &m.versions[0], nil
	}
	cur, err := current()
	if err != nil {
		return nil, err
	}
	if m.any || slices.Contains(m.versions, cur) {
		return &cur, nil
	}
	return nil, fmt.Errorf("If-Match names no tag of version %d: %w", cur, apperr.ErrPreconditionFailed)
}
