package store

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// userChangesChannel is the PostgreSQL channel on which the users table's
// trigger (migration 00026) names every user row updated or deleted.
const userChangesChannel = "bosang_user_changes"

// userHooks are the functions told which users this process changed.
type userHooks struct {
	mu  sync.RWMutex
	fns []func(id string)
}

// OnUserChange registers fn to learn the id of each user whose row this
// process updates through the store (role, password, token version,
// disabling, second factor, verified contacts): at once outside a
// transaction, after the commit inside InTx. A cache of users forgets them
// with it; other processes learn through ListenUserChanges.
func (db *DB) OnUserChange(fn func(id string)) {
	db.users.mu.Lock()
	defer db.users.mu.Unlock()
	db.users.fns = append(db.users.fns, fn)
}

// userChanged reports id to the hooks, or, inside a transaction, keeps it
// for InTx to report after the commit, so that nothing reloads the old row
// in between and keeps it.
func (db *DB) userChanged(id string) {
	if db.changed != nil {
		*db.changed = append(*db.changed, id)
		return
	}
	db.users.mu.RLock()
	defer db.users.mu.RUnlock()
	for _, fn := range db.users.fns {
		fn(id)
	}
}

// ListenUserChanges tells forget the id of every user row changed by any
// process on this PostgreSQL database, until ctx ends, on a connection of
// its own to dsn. Whenever it (re)connects, and after losing the
// connection, it calls forgetAll first, since changes in between are not
// delivered; it retries a lost connection every retry. On SQLite (one
// process) it returns at once.
func (db *DB) ListenUserChanges(ctx context.Context, dsn string, retry time.Duration, forget func(id string), forgetAll func()) {
	if db.dialect != Postgres {
		return
	}
	for ctx.Err() == nil {
		err := listenUserChanges(ctx, dsn, forget, forgetAll)
		forgetAll()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			slog.WarnContext(ctx, "user change listener lost; the user cache starts over", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(retry):
		}
	}
}

func listenUserChanges(ctx context.Context, dsn string, forget func(id string), forgetAll func()) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+userChangesChannel); err != nil {
		return err
	}
	forgetAll()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		}
		forget(n.Payload)
	}
}

// reportChanged tells db's hooks about the users a committed transaction
// changed.
func reportChanged(db *DB, changed []string) {
	for _, id := range changed {
		db.userChanged(id)
	}
}

// changedOne is affectedOne for an update of user id's row, reported to
// the hooks when it changed it.
func (db *DB) changedOne(res *gorm.DB, id, what string) error {
	if err := affectedOne(res, what); err != nil {
		return err
	}
	db.userChanged(id)
	return nil
}
