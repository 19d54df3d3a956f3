package models

import (
	"encoding"
	"fmt"
)

// scanName reads an enum stored by name in a text column into u, whose
// UnmarshalText refuses unknown names; what names the enum in the error for
// any other column type (NULL included).
func scanName(src any, u encoding.TextUnmarshaler, what string) error {
	switch v := src.(type) {
	case string:
		return u.UnmarshalText([]byte(v))
	case []byte:
		return u.UnmarshalText(v)
	}
	return fmt.Errorf("scan %s from %T", what, src)
}

// Names returns the wire names of enum values, in their order: for SQL IN
// lists and string-keyed maps.
func Names[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}
