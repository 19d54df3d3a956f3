package outage

import (
	"context"
	"testing"
)

// blockedLoad is a view read that waits for release once it has started.
type blockedLoad struct {
	started, release chan struct{}
	view             *View
}

func newBlockedLoad(id string) *blockedLoad {
	return &blockedLoad{started: make(chan struct{}), release: make(chan struct{}), view: &View{ID: id}}
}

func (b *blockedLoad) load(context.Context) (*View, error) {
	close(b.started)
	<-b.release
	return b.view, nil
}

func noRead(t *testing.T, why string) func(context.Context) (*View, error) {
	return func(context.Context) (*View, error) {
		t.Errorf("a second read of the outage: %s", why)
		return &View{ID: "wrong"}, nil
	}
}

// TestLoadViewReadsOnceForConcurrentRequests: requests that miss while a
// read is running wait for it instead of reading again.
func TestLoadViewReadsOnceForConcurrentRequests(t *testing.T) {
	var c cache
	ctx := context.Background()
	first := newBlockedLoad("o1")
	got := make(chan *View, 1)
	go func() {
		v, _ := c.loadView(ctx, "o1", first.load)
		got <- v
	}()
	<-first.started
	second := make(chan *View, 1)
	go func() {
		v, _ := c.loadView(ctx, "o1", noRead(t, "asked while the first was running"))
		second <- v
	}()
	close(first.release)
	if a, b := <-got, <-second; a != first.view || b != first.view {
		t.Fatalf("got %p and %p, want both %p", a, b, first.view)
	}
	if v, _ := c.loadView(ctx, "o1", noRead(t, "the view is cached")); v != first.view {
		t.Fatalf("cached: got %p, want %p", v, first.view)
	}
}

// TestLoadViewAfterInvalidation: a read that began before a change is
// neither shared with requests after it nor cached.
func TestLoadViewAfterInvalidation(t *testing.T) {
	var c cache
	ctx := context.Background()
	stale := newBlockedLoad("o1")
	done := make(chan *View, 1)
	go func() {
		v, _ := c.loadView(ctx, "o1", stale.load)
		done <- v
	}()
	<-stale.started
	c.invalidate("o1")
	fresh := &View{ID: "o1"}
	if v, _ := c.loadView(ctx, "o1", func(context.Context) (*View, error) { return fresh, nil }); v != fresh {
		t.Fatalf("after the change: got %p, want the fresh read %p", v, fresh)
	}
	close(stale.release)
	if v := <-done; v != stale.view {
		t.Fatalf("the first request: got %p, want its own read %p", v, stale.view)
	}
	if v, _ := c.loadView(ctx, "o1", noRead(t, "the fresh view is cached")); v != fresh {
		t.Fatalf("cached: got %p, want the fresh view %p, not the stale one", v, fresh)
	}
}
