package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/bosang/bosang/auth"
)

// forge signs claims with the server's key (or another) to build the
// malicious and malformed tokens a client could present.
func forge(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

func TestAccessTokenRejected(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		pair := e.registerAndLogin(t, "tok@example.com")
		if r := e.call(t, "GET", "/api/v1/me", nil, bearer(pair.AccessToken)...); r.status != http.StatusOK {
			t.Fatalf("valid token: got %d %s, want 200", r.status, r.body)
		}
		me := e.call(t, "GET", "/api/v1/me", nil, bearer(pair.AccessToken)...).json(t)
		sub := me["id"].(string)
		kid := auth.KeyID(e.jwtKey)
		now := time.Now() // the wall clock: the JWT signer checks expiry on it (see newTestAuth)
		valid := func() jwt.MapClaims {
			return jwt.MapClaims{"iss": auth.Issuer, "aud": auth.Audience, "sub": sub, "typ": "access", "role": "claimant",
				"ver": 0, "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
		}
		with := func(k string, v any) jwt.MapClaims { c := valid(); c[k] = v; return c }
		without := func(k string) jwt.MapClaims { c := valid(); delete(c, k); return c }

		// Sanity: a forged token with every claim right is accepted, so the
		// rejections below are about the one thing each case changes.
		if r := e.call(t, "GET", "/api/v1/me", nil, bearer(forge(t, jwt.SigningMethodHS256, e.jwtKey, kid, valid()))...); r.status != 200 {
			t.Fatalf("well-formed forged token: got %d, want 200", r.status)
		}
		none := forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, kid, valid())
		cases := map[string]string{
			"alg none":                 none,
			"alg none, signature kept": strings.TrimSuffix(none, ".") + "." + strings.Split(pair.AccessToken, ".")[2],
			"HS512 with the right key": forge(t, jwt.SigningMethodHS512, e.jwtKey, kid, valid()),
			"another key":              forge(t, jwt.SigningMethodHS256, []byte("another key of thirty-two bytes!"), kid, valid()),
			"unknown kid":              forge(t, jwt.SigningMethodHS256, e.jwtKey, "nope", valid()),
			"expired":                  forge(t, jwt.SigningMethodHS256, e.jwtKey, kid, with("exp", now.Add(-time.Second).Unix())),
			"nbf in the future":        forge(t, jwt.SigningMethodHS256, e.jwtKey, kid, with("nbf", now.Add(time.Hour).Unix())),
			"iat in the future":        forge(t, jwt.SigningMethodHS256, e.jwtKey, kid, with("iat", now.Add(time.Hour).Unix())),
			"no exp":                   forge(t, jwt.SigningMethodHS256, e.jwtKey, kid, without("exp")),
			"wrong aud":                forge(t, jwt.SigningMethodHS256, e.jwtKey, kid, with("aud", "someone-else")),
			"wrong iss":                forge(t, jwt.SigningMethodHS256, e.jwtKey, kid, with("iss", "evil")),
			"not an access token":      forge(t, jwt.SigningMethodHS256, e.jwtKey, kid, with("typ", "refresh")),
			"stale token version":      forge(t, jwt.SigningMethodHS256, e.jwtKey, kid, with("ver", 7)),
			"refresh token as access":  pair.RefreshToken,
			"1 MB header of dots":      strings.Repeat(".", 1<<20-100),
			"empty":                    "",
		}
		for name, token := range cases {
			t.Run(name, func(t *testing.T) {
				r := e.call(t, "GET", "/api/v1/me", nil, bearer(token)...)
				if r.status != http.StatusUnauthorized || r.errorCode(t) != "unauthenticated" {
					t.Fatalf("got %d %.200s, want 401 unauthenticated", r.status, r.body)
				}
			})
		}
		t.Run("not a Bearer scheme", func(t *testing.T) {
			r := e.call(t, "GET", "/api/v1/me", nil, "Authorization", "Basic "+pair.AccessToken)
			if r.status != http.StatusUnauthorized {
				t.Fatalf("got %d, want 401", r.status)
			}
		})
	})
}

func TestAccessTokenRevoked(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		t.Run("after logout", func(t *testing.T) {
			pair := e.registerAndLogin(t, "out@example.com")
			if r := e.call(t, "POST", "/api/v1/auth/logout", nil, bearer(pair.AccessToken)...); r.status != http.StatusNoContent {
				t.Fatalf("logout: got %d %s, want 204", r.status, r.body)
			}
			if r := e.call(t, "GET", "/api/v1/me", nil, bearer(pair.AccessToken)...); r.status != http.StatusUnauthorized {
				t.Fatalf("access token after logout: got %d, want 401", r.status)
			}
			if r := e.call(t, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": pair.RefreshToken}); r.status != http.StatusUnauthorized {
				t.Fatalf("refresh token after logout: got %d, want 401", r.status)
			}
		})
		t.Run("after role change", func(t *testing.T) {
			pair := e.registerAndLogin(t, "promoted@example.com")
			me := e.call(t, "GET", "/api/v1/me", nil, bearer(pair.AccessToken)...).json(t)
			// The administrators' path (PATCH /api/v1/admin/users/{id}).
			reviewer := "reviewer"
			if _, err := e.auth.UpdateUser(context.Background(), me["id"].(string), auth.UserChange{Role: &reviewer}); err != nil {
				t.Fatal(err)
			}
			if r := e.call(t, "GET", "/api/v1/me", nil, bearer(pair.AccessToken)...); r.status != http.StatusUnauthorized {
				t.Fatalf("token issued before role change: got %d, want 401", r.status)
			}
			fresh := e.login(t, "promoted@example.com", testPassword)
			if got := e.call(t, "GET", "/api/v1/me", nil, bearer(fresh.AccessToken)...).json(t)["role"]; got != "reviewer" {
				t.Fatalf("role after fresh login: got %v, want reviewer", got)
			}
		})
	})
}
