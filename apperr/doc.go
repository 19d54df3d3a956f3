// Package apperr defines the error categories every Bosang domain package
// returns. Each category implies one HTTP status; the handlers package maps
// them in one place. Wrap a category with context:
//
//	fmt.Errorf("find claim %s: %w", id, apperr.ErrNotFound)
package apperr
