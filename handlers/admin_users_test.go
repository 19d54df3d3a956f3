package handlers_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/auth"
)

// newStaff creates a staff account directly and logs it in (enrolling its
// factor); it returns the account's id and token pair.
func (e *testEnv) newStaff(t *testing.T, email, role string) (string, auth.Pair) {
	t.Helper()
	u, err := e.auth.CreateUser(context.Background(), auth.NewUser{Email: email, Password: testPassword, Name: "직원 " + role, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID, e.login(t, email, testPassword)
}

// TestAdminUserAPIIsForAdminsOnly: every administration call answers 401
// without a token and 403 for each role but admin.
func TestAdminUserAPIIsForAdminsOnly(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		target, _ := e.newStaff(t, "target@example.com", "reviewer")
		tokens := map[string]string{"claimant": e.registerAndLogin(t, "c@example.com").AccessToken}
		for _, role := range []string{"operator", "reviewer", "supervisor"} {
			_, p := e.newStaff(t, role+"@example.com", role)
			tokens[role] = p.AccessToken
		}
		calls := []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/admin/users", nil},
			{"POST", "/api/v1/admin/users", map[string]string{"email": "x@example.com", "password": testPassword, "name": "X", "role": "admin"}},
			{"PATCH", "/api/v1/admin/users/" + target, map[string]any{"role": "admin"}},
			{"POST", "/api/v1/admin/users/" + target + "/reset-mfa", nil},
		}
		for _, c := range calls {
			if r := e.call(t, c.method, c.path, c.body); r.status != http.StatusUnauthorized {
				t.Errorf("%s %s anonymous: got %d, want 401", c.method, c.path, r.status)
			}
			for role, tok := range tokens {
				if r := e.call(t, c.method, c.path, c.body, bearer(tok)...); r.status != http.StatusForbidden {
					t.Errorf("%s %s as %s: got %d %s, want 403", c.method, c.path, role, r.status, r.body)
				}
			}
		}
		if r := e.call(t, "GET", "/api/v1/me", nil, bearer(tokens["reviewer"])...); r.status != http.StatusOK {
			t.Fatalf("reviewer still works: got %d", r.status)
		}
	})
}

// TestAdminChangesRoleDisablesAndResetsMFA walks an admin through the
// account tasks: each is audited and ends the account's sessions; a
// disabled account cannot log in until enabled again; after a factor reset
// the next login enrols afresh.
func TestAdminChangesRoleDisablesAndResetsMFA(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		adminID, adm := e.newStaff(t, "admin@example.com", "admin")
		as := bearer(adm.AccessToken)
		r := e.call(t, "POST", "/api/v1/admin/users", map[string]string{"email": "rev@example.com", "password": testPassword, "name": "심사자", "role": "reviewer"}, as...)
		if r.status != http.StatusCreated {
			t.Fatalf("create: got %d %s", r.status, r.body)
		}
		id := r.json(t)["user"].(map[string]any)["id"].(string)
		rev := e.login(t, "rev@example.com", testPassword)

		list := e.call(t, "GET", "/api/v1/admin/users", nil, as...)
		users := list.json(t)["users"].([]any)
		found := false
		for _, u := range users {
			m := u.(map[string]any)
			if m["id"] == id {
				found = m["role"] == "reviewer" && m["mfa_enrolled"] == true && m["disabled"] == false
			}
		}
		if !found {
			t.Fatalf("list %s: want the reviewer, enrolled and enabled", list.body)
		}

		// Role change: the old token stops working; the new role logs in.
		r = e.call(t, "PATCH", "/api/v1/admin/users/"+id, map[string]any{"role": "supervisor"}, as...)
		if r.status != http.StatusOK || r.json(t)["user"].(map[string]any)["role"] != "supervisor" {
			t.Fatalf("change role: got %d %s", r.status, r.body)
		}
		if r := e.call(t, "GET", "/api/v1/me", nil, bearer(rev.AccessToken)...); r.status != http.StatusUnauthorized {
			t.Fatalf("old token after the role change: got %d, want 401", r.status)
		}
		if r := e.call(t, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": rev.RefreshToken}); r.status != http.StatusUnauthorized {
			t.Fatalf("old refresh token after the role change: got %d, want 401", r.status)
		}
		sup := e.login(t, "rev@example.com", testPassword)

		// Disable: sessions end, logins are refused like a wrong password.
		r = e.call(t, "PATCH", "/api/v1/admin/users/"+id, map[string]any{"disabled": true}, as...)
		if r.status != http.StatusOK || r.json(t)["user"].(map[string]any)["disabled"] != true {
			t.Fatalf("disable: got %d %s", r.status, r.body)
		}
		if r := e.call(t, "GET", "/api/v1/me", nil, bearer(sup.AccessToken)...); r.status != http.StatusUnauthorized {
			t.Fatalf("token of a disabled account: got %d, want 401", r.status)
		}
		if r := e.call(t, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": sup.RefreshToken}); r.status != http.StatusUnauthorized {
			t.Fatalf("refresh of a disabled account: got %d, want 401", r.status)
		}
		if r := e.call(t, "POST", "/api/v1/auth/login", map[string]string{"email": "rev@example.com", "password": testPassword}); r.status != http.StatusUnauthorized {
			t.Fatalf("login of a disabled account: got %d %s, want 401", r.status, r.body)
		}
		r = e.call(t, "PATCH", "/api/v1/admin/users/"+id, map[string]any{"disabled": false}, as...)
		if r.status != http.StatusOK {
			t.Fatalf("enable: got %d %s", r.status, r.body)
		}
		e.login(t, "rev@example.com", testPassword)

		// Reset MFA: the next login shows a new secret to enrol.
		r = e.call(t, "POST", "/api/v1/admin/users/"+id+"/reset-mfa", nil, as...)
		if r.status != http.StatusOK || r.json(t)["user"].(map[string]any)["mfa_enrolled"] != false {
			t.Fatalf("reset MFA: got %d %s", r.status, r.body)
		}
		if a := e.staffChallenge(t, "rev@example.com"); a.Enrolment == nil {
			t.Fatal("the login after a reset shows no enrolment")
		}

		// Mistakes: 422 with the field, 404 for nobody; admins keep their own access.
		for _, tc := range []struct {
			id   string
			body map[string]any
			want int
		}{
			{id, map[string]any{"role": "superuser"}, 422},
			{id, map[string]any{}, 422},
			{adminID, map[string]any{"role": "reviewer"}, 422},
			{adminID, map[string]any{"disabled": true}, 422},
			{"0190aaaa-0000-7000-8000-000000000000", map[string]any{"role": "reviewer"}, 404},
		} {
			if r := e.call(t, "PATCH", "/api/v1/admin/users/"+tc.id, tc.body, as...); r.status != tc.want {
				t.Errorf("PATCH %s %v: got %d %s, want %d", tc.id, tc.body, r.status, r.body, tc.want)
			}
		}
		if r := e.call(t, "POST", "/api/v1/admin/users/nobody/reset-mfa", nil, as...); r.status != http.StatusNotFound {
			t.Errorf("reset MFA of nobody: got %d, want 404", r.status)
		}

		entries, _, err := e.audit.List(ctx, audit.Filter{Entity: audit.EntityUser, EntityID: id})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, en := range entries {
			actions = append(actions, en.Action)
			if en.ActorID == nil || *en.ActorID != adminID {
				t.Errorf("%s: actor %v, want the admin", en.Action, en.ActorID)
			}
		}
		want := []string{"user.reset_mfa", "user.update", "user.update", "user.update", "user.create"}
		if len(actions) != len(want) {
			t.Fatalf("audit of the account: got %v, want %v", actions, want)
		}
		for i := range want {
			if actions[i] != want[i] {
				t.Fatalf("audit of the account: got %v, want %v", actions, want)
			}
		}
	})
}

// TestOpenAPIAdminUsers checks the administration calls' real answers
// against the OpenAPI document.
func TestOpenAPIAdminUsers(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		k := newContract(t, e)
		_, adm := e.newStaff(t, "admin@example.com", "admin")
		revID, rev := e.newStaff(t, "rev@example.com", "reviewer")
		as := bearer(adm.AccessToken)
		k.exchange(t, e, 200, reqValid, "HEAD", "/healthz", nil)
		k.exchange(t, e, 200, reqValid, "HEAD", "/readyz", nil)
		k.exchange(t, e, 200, reqValid, "GET", "/api/v1/admin/users", nil, as...)
		k.exchange(t, e, 200, reqValid, "GET", "/api/v1/admin/users?q=rev", nil, as...)
		k.exchange(t, e, 403, reqValid, "GET", "/api/v1/admin/users", nil, bearer(rev.AccessToken)...)
		k.exchange(t, e, 200, reqValid, "PATCH", "/api/v1/admin/users/"+revID, map[string]any{"role": "supervisor", "disabled": true}, as...)
		k.exchange(t, e, 422, reqInvalid, "PATCH", "/api/v1/admin/users/"+revID, map[string]any{"role": "superuser"}, as...)
		k.exchange(t, e, 404, reqValid, "PATCH", "/api/v1/admin/users/nobody", map[string]any{"disabled": false}, as...)
		k.exchange(t, e, 200, reqValid, "POST", "/api/v1/admin/users/"+revID+"/reset-mfa", nil, as...)
		k.exchange(t, e, 404, reqValid, "POST", "/api/v1/admin/users/nobody/reset-mfa", nil, as...)
	})
}
