package review

import (
	"context"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/pii"
)

// Person is someone a review page names: their role and their name masked
// as on every staff screen ("김*수").
type Person struct {
	Role       models.Role
	MaskedName string
}

// People looks up the people with the given ids for a review page. An id
// nobody has (a deleted account) is left out; other errors are returned.
func (s *Service) People(ctx context.Context, ids ...string) (map[string]Person, error) {
	out := make(map[string]Person, len(ids))
	for _, id := range ids {
		if _, done := out[id]; done || id == "" {
			continue
		}
		u, err := s.store.User(ctx, id)
		if err != nil {
			if errorsIsNotFound(err) {
				continue
			}
			return nil, err
		}
		out[id] = Person{Role: u.Role, MaskedName: pii.MaskName(u.Name)}
	}
	return out, nil
}
