package audit

import (
	"context"
	"errors"
	"time"

	"github.com/bosang/bosang/models"
)

// Actor is who acts in a request and from where: the handlers put it in the
// request context once the caller is known, and the stores read it when they
// append the audit entry of a change in the change's own transaction.
type Actor struct {
	ID   string
	Role string
	IP   string
}

type actorKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx; the zero Actor (the system) when none.
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// FromContext completes r with the actor in ctx, keeping any actor r names.
func FromContext(ctx context.Context, r Record) Record {
	a := ActorFrom(ctx)
	if r.ActorID == "" {
		r.ActorID, r.ActorRole = a.ID, a.Role
	}
	if r.IP == "" {
		r.IP = a.IP
	}
	if r.ActorRole == "" {
		r.ActorRole = "system"
	}
	return r
}

// ErrMissing is a store's answer to a change handed to it without its audit
// entry: the use case builds the entry (BuildFor) and the store persists it
// with the change, or writes nothing.
var ErrMissing = errors.New("change without its audit entry")

// BuildFor builds the entry of r as Build does, completed with the actor in
// ctx (FromContext): the record a use case hands its store with the change
// it records. A malformed record is a *apperr.ValidationError.
func BuildFor(ctx context.Context, r Record, at time.Time, id string) (*models.AuditEntry, error) {
	return Build(FromContext(ctx, r), at, id)
}
