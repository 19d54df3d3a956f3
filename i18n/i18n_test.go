package i18n_test

import (
	"testing"

	"github.com/bosang/bosang/i18n"
)

func TestNegotiate(t *testing.T) {
	cases := []struct{ name, choice, accept, want string }{
		{"nothing: Korean", "", "", "ko"},
		{"explicit choice wins", "en", "ko-KR", "en"},
		{"English browser", "", "en-US,en;q=0.9", "en"},
		{"Korean browser", "", "ko-KR,ko;q=0.9,en;q=0.5", "ko"},
		{"unsupported language falls back to Korean", "", "fr-FR", "ko"},
		{"bogus choice ignored", "xx", "en", "en"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := i18n.Negotiate(tc.choice, tc.accept); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestCatalog(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if got := c.For("en").T("nav.login"); got != "Log in" {
		t.Fatalf("en nav.login: got %q", got)
	}
	if got := c.For("ko").T("login.throttled", map[string]any{"Seconds": 30}); got != "로그인 시도가 너무 많습니다. 30초 후에 다시 시도하세요." {
		t.Fatalf("ko login.throttled: got %q", got)
	}
	if got := c.For("ko").T("no.such.id"); got != "no.such.id" {
		t.Fatalf("missing id: got %q, want the id back", got)
	}
}
