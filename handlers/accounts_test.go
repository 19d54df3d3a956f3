package handlers_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/bosang/bosang/auth"
)

func TestRefreshRotationAndReuse(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		first := e.registerAndLogin(t, "rot@example.com")
		refresh := func(token string) response {
			return e.call(t, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": token})
		}
		r := refresh(first.RefreshToken)
		if r.status != http.StatusOK {
			t.Fatalf("first refresh: got %d %s, want 200", r.status, r.body)
		}
		second := r.json(t)
		if second["refresh_token"] == first.RefreshToken || second["refresh_token"] == "" {
			t.Fatalf("refresh did not rotate: got %v", second["refresh_token"])
		}
		third := refresh(second["refresh_token"].(string))
		if third.status != http.StatusOK {
			t.Fatalf("second refresh with the rotated token: got %d, want 200", third.status)
		}
		// An attacker replays the first, already used token: 401, and the
		// whole family dies, including the legitimate newest token.
		if r := refresh(first.RefreshToken); r.status != http.StatusUnauthorized {
			t.Fatalf("reused refresh token: got %d, want 401", r.status)
		}
		if r := refresh(third.json(t)["refresh_token"].(string)); r.status != http.StatusUnauthorized {
			t.Fatalf("newest token of a revoked family: got %d, want 401", r.status)
		}
		// Another login is another family and keeps working.
		other := e.login(t, "rot@example.com", testPassword)
		if r := refresh(other.RefreshToken); r.status != http.StatusOK {
			t.Fatalf("other family after revocation: got %d, want 200", r.status)
		}
		if r := refresh("garbage"); r.status != http.StatusUnauthorized {
			t.Fatalf("unknown refresh token: got %d, want 401", r.status)
		}
	})
}

func TestLoginAnswersAlike(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.registerAndLogin(t, "alike@example.com")
		wrong := e.call(t, "POST", "/api/v1/auth/login", map[string]string{"email": "alike@example.com", "password": "not the password"})
		unknown := e.call(t, "POST", "/api/v1/auth/login", map[string]string{"email": "nobody@example.com", "password": "not the password"})
		if wrong.status != http.StatusUnauthorized || unknown.status != http.StatusUnauthorized {
			t.Fatalf("got %d and %d, want 401 for both", wrong.status, unknown.status)
		}
		if string(wrong.body) != string(unknown.body) {
			t.Fatalf("bodies differ:\nwrong password: %s\nunknown user:   %s", wrong.body, unknown.body)
		}
	})
}

func TestLoginThrottled(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.registerAndLogin(t, "victim@example.com")
		bad := map[string]string{"email": "victim@example.com", "password": "guess guess guess"}
		for i := 1; i <= auth.DefaultThrottle.PairFree; i++ {
			if r := e.call(t, "POST", "/api/v1/auth/login", bad); r.status != http.StatusUnauthorized {
				t.Fatalf("failure %d: got %d, want 401", i, r.status)
			}
		}
		// This address waits now, even with the right password.
		r := e.call(t, "POST", "/api/v1/auth/login", map[string]string{"email": "victim@example.com", "password": testPassword})
		if r.status != http.StatusTooManyRequests || r.errorCode(t) != "rate_limited" {
			t.Fatalf("after %d failures: got %d %s, want 429 rate_limited", auth.DefaultThrottle.PairFree, r.status, r.body)
		}
		secs, err := strconv.Atoi(r.header.Get("Retry-After"))
		if want := int(auth.DefaultThrottle.PairDelay.Seconds()); err != nil || secs < 1 || secs > want {
			t.Fatalf("Retry-After: got %q, want 1..%d seconds", r.header.Get("Retry-After"), want)
		}
		// Another account from the same address is not blocked yet.
		e.registerAndLogin(t, "bystander@example.com")
	})
}

func TestClientAddressThrottled(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		for i := range auth.DefaultThrottle.MaxAddress {
			e.call(t, "POST", "/api/v1/auth/login", map[string]string{"email": "spray" + strconv.Itoa(i) + "@example.com", "password": "guess guess guess"})
		}
		r := e.call(t, "POST", "/api/v1/auth/login", map[string]string{"email": "fresh@example.com", "password": "guess guess guess"})
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
			t.Fatalf("after %d failures from one address: got %d, want 429 with Retry-After", auth.DefaultThrottle.MaxAddress, r.status)
		}
	})
}

func TestPasswordStoredAsArgon2id(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.registerAndLogin(t, "hash@example.com")
		u, err := e.db.UserByEmail(context.Background(), "hash@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Fatalf("stored hash %q: want argon2id with m=19456,t=2,p=1", u.PasswordHash)
		}
		p, err := auth.ParseHash(u.PasswordHash)
		if err != nil || p.MemoryKiB != 19*1024 || p.Time != 2 || p.Threads != 1 || len(p.Salt) < 16 || len(p.Key) < 32 {
			t.Fatalf("parsed hash: got %+v, %v", p, err)
		}
		if strings.Contains(u.PasswordHash, testPassword) {
			t.Fatal("hash contains the password")
		}
	})
}

func TestRegisterRules(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		cases := []struct {
			name, field string
			body        map[string]any
		}{
			{"short password", "password", map[string]any{"email": "p@example.com", "password": "short1", "name": "김", "phone": "010-1111-2222"}},
			{"common password", "password", map[string]any{"email": "p@example.com", "password": "1q2w3e4r5t", "name": "김", "phone": "010-1111-2222"}},
			{"bad e-mail", "email", map[string]any{"email": "nope", "password": testPassword, "name": "김", "phone": "010-1111-2222"}},
			{"bad phone", "phone", map[string]any{"email": "p@example.com", "password": testPassword, "name": "김", "phone": "call me"}},
			{"wrong type", "name", map[string]any{"email": "p@example.com", "password": testPassword, "name": 12, "phone": "010-1111-2222"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := e.call(t, "POST", "/api/v1/auth/register", tc.body)
				fields, _ := r.json(t)["error"].(map[string]any)["fields"].(map[string]any)
				if r.status != http.StatusUnprocessableEntity || fields[tc.field] == nil {
					t.Fatalf("got %d %s, want 422 naming %s", r.status, r.body, tc.field)
				}
			})
		}
		t.Run("english messages on request", func(t *testing.T) {
			r := e.call(t, "POST", "/api/v1/auth/register", cases[0].body, "Accept-Language", "en-US,en;q=0.9")
			msg := r.json(t)["error"].(map[string]any)["fields"].(map[string]any)["password"]
			if msg != "Password must be at least 10 characters." {
				t.Fatalf("got %q, want the English message", msg)
			}
		})
		t.Run("role in the body is ignored", func(t *testing.T) {
			r := e.call(t, "POST", "/api/v1/auth/register", map[string]any{"email": "sneaky@example.com", "password": testPassword, "name": "김", "phone": "010-1111-2222", "role": "admin"})
			if r.status != http.StatusCreated || r.json(t)["user"].(map[string]any)["role"] != "claimant" {
				t.Fatalf("got %d %s, want 201 as claimant", r.status, r.body)
			}
		})

	})
}

func TestAdminCreatesStaff(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		claimant := e.registerAndLogin(t, "c@example.com")
		body := map[string]string{"email": "rev@example.com", "password": testPassword, "name": "심사자", "role": "reviewer"}
		if r := e.call(t, "POST", "/api/v1/admin/users", body, bearer(claimant.AccessToken)...); r.status != http.StatusForbidden {
			t.Fatalf("claimant creating staff: got %d, want 403", r.status)
		}
		if r := e.call(t, "POST", "/api/v1/admin/users", body); r.status != http.StatusUnauthorized {
			t.Fatalf("anonymous creating staff: got %d, want 401", r.status)
		}
		if _, err := e.auth.CreateUser(context.Background(), auth.NewUser{Email: "root@example.com", Password: testPassword, Name: "관리자", Role: "admin"}); err != nil {
			t.Fatal(err)
		}
		admin := e.login(t, "root@example.com", testPassword)
		r := e.call(t, "POST", "/api/v1/admin/users", body, bearer(admin.AccessToken)...)
		if r.status != http.StatusCreated || r.json(t)["user"].(map[string]any)["role"] != "reviewer" {
			t.Fatalf("admin creating a reviewer: got %d %s, want 201", r.status, r.body)
		}
		body["role"] = "emperor"
		body["email"] = "x@example.com"
		if r := e.call(t, "POST", "/api/v1/admin/users", body, bearer(admin.AccessToken)...); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("unknown role: got %d, want 422", r.status)
		}
	})
}
