package models

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestParseClaimStatus(t *testing.T) {
	for _, st := range ClaimStatuses() {
		t.Run("known "+st.String(), func(t *testing.T) {
			got, err := ParseClaimStatus(st.String())
			if err != nil || got != st {
				t.Errorf("got %q, %v, want %q", got, err, st)
			}
		})
	}
	for _, tc := range []struct{ name, in string }{
		{"empty is not a status", ""},
		{"case matters", "Submitted"},
		{"surrounding space is not trimmed", " paid"},
		{"unknown name", "archived"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := ParseClaimStatus(tc.in); err == nil {
				t.Errorf("got %q, nil, want an error", got)
			}
		})
	}
}

func TestClaimStatusScanValue(t *testing.T) {
	for _, tc := range []struct {
		name    string
		src     any
		want    ClaimStatus
		wantErr bool
	}{
		{"text column as string", "under_review", StatusUnderReview, false},
		{"text column as bytes", []byte("paid"), StatusPaid, false},
		{"unknown name is refused", "archived", "", true},
		{"NULL is refused", nil, "", true},
		{"a number is refused", int64(3), "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got ClaimStatus
			err := got.Scan(tc.src)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("got %q, %v, want %q (error %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
	for _, st := range ClaimStatuses() {
		v, err := st.Value()
		if err != nil || v != st.String() {
			t.Errorf("Value of %q: got %v, %v, want the name", st, v, err)
		}
	}
}

func TestClaimStatusJSON(t *testing.T) {
	t.Run("marshals as its name", func(t *testing.T) {
		b, err := json.Marshal(struct{ S ClaimStatus }{StatusPendingSecondApproval})
		if err != nil || string(b) != `{"S":"pending_second_approval"}` {
			t.Errorf("got %s, %v", b, err)
		}
	})
	t.Run("unknown name is refused", func(t *testing.T) {
		var v struct{ S ClaimStatus }
		if err := json.Unmarshal([]byte(`{"S":"archived"}`), &v); err == nil {
			t.Errorf("got %q, nil, want an error", v.S)
		}
	})
}

func TestClaimStatusGroups(t *testing.T) {
	in := func(st ClaimStatus) [3]bool { return [3]bool{st.Open(), st.Decided(), st.Payable()} }
	for _, tc := range []struct {
		name string
		st   ClaimStatus
		want [3]bool // open, decided, payable
	}{
		{"submitted waits for review", StatusSubmitted, [3]bool{true, false, false}},
		{"under review waits", StatusUnderReview, [3]bool{true, false, false}},
		{"supplement requested still waits", StatusSupplementRequested, [3]bool{true, false, false}},
		{"pending second approval is not yet decided", StatusPendingSecondApproval, [3]bool{true, false, false}},
		{"approved is decided and payable", StatusApproved, [3]bool{false, true, true}},
		{"partially approved is decided and payable", StatusPartiallyApproved, [3]bool{false, true, true}},
		{"rejected is decided, not payable", StatusRejected, [3]bool{false, true, false}},
		{"appealed is open again", StatusAppealed, [3]bool{true, false, false}},
		{"withdrawn is in no group", StatusWithdrawn, [3]bool{false, false, false}},
		{"paid has moved past decided and payable", StatusPaid, [3]bool{false, false, false}},
		{"the zero value is in no group", "", [3]bool{false, false, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := in(tc.st); got != tc.want {
				t.Errorf("got open/decided/payable %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("groups are copies", func(t *testing.T) {
		g := OpenStatuses()
		g[0] = StatusPaid
		if OpenStatuses()[0] != StatusSubmitted {
			t.Errorf("got %q, want the group unchanged", OpenStatuses()[0])
		}
	})
	t.Run("names keep the order", func(t *testing.T) {
		if got, want := Names(PayableStatuses()), []string{"approved", "partially_approved"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
}
