package config_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/config"
)

// TestTrustedProxies pins BOSANG_TRUSTED_PROXIES: empty trusts no one;
// addresses and prefixes are kept as prefixes; anything else stops the
// start with an error naming the variable and the bad item.
func TestTrustedProxies(t *testing.T) {
	for _, tt := range []struct {
		name, value string
		want        []string
		bad         string
	}{
		{"unset trusts no one", "", nil, ""},
		{"blank items are skipped", " , ", nil, ""},
		{"a compose network and a host", "172.30.0.0/24, 10.0.0.2", []string{"172.30.0.0/24", "10.0.0.2/32"}, ""},
		{"IPv6 address and prefix", "::1,fd00::/8", []string{"::1/128", "fd00::/8"}, ""},
		{"an IPv4-mapped address is its IPv4 address", "::ffff:10.0.0.2", []string{"10.0.0.2/32"}, ""},
		{"host bits are masked", "10.1.2.3/8", []string{"10.0.0.0/8"}, ""},
		{"a host name is refused", "caddy", nil, "caddy"},
		{"a prefix length out of range is refused", "10.0.0.0/33", nil, "10.0.0.0/33"},
		{"an address with a zone is refused", "fe80::1%eth0", nil, "fe80::1%eth0"},
		{"one bad item among good ones is refused", "10.0.0.2, 300.1.1.1", nil, "300.1.1.1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load(env(map[string]string{"BOSANG_DATA_DIR": t.TempDir(), "BOSANG_TRUSTED_PROXIES": tt.value}))
			if tt.bad != "" {
				if err == nil || !strings.Contains(err.Error(), "BOSANG_TRUSTED_PROXIES") || !strings.Contains(err.Error(), tt.bad) {
					t.Fatalf("got %v, want an error naming BOSANG_TRUSTED_PROXIES and %q", err, tt.bad)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.TrustedProxies, tt.want) {
				t.Errorf("got %v, want %v", c.TrustedProxies, tt.want)
			}
		})
	}
}

// TestClientIPHeader pins BOSANG_CLIENT_IP_HEADER: X-Forwarded-For by
// default, another single header on request, and nothing gin would misread.
func TestClientIPHeader(t *testing.T) {
	for _, tt := range []struct{ name, value, want string }{
		{"unset is X-Forwarded-For", "", "X-Forwarded-For"},
		{"X-Real-IP", "X-Real-IP", "X-Real-Ip"},
		{"any case, canonical form", "cf-connecting-ip", "Cf-Connecting-Ip"},
		{"two headers are refused", "X-Forwarded-For, X-Real-IP", ""},
		{"a space is refused", "X Real IP", ""},
		{"Forwarded is refused, its for= syntax is not read", "forwarded", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load(env(map[string]string{"BOSANG_DATA_DIR": t.TempDir(), "BOSANG_CLIENT_IP_HEADER": tt.value}))
			if tt.want == "" {
				if err == nil || !strings.Contains(err.Error(), "BOSANG_CLIENT_IP_HEADER") {
					t.Fatalf("got %v, want an error naming BOSANG_CLIENT_IP_HEADER", err)
				}
				return
			}
			if err != nil || c.ClientIPHeader != tt.want {
				t.Fatalf("got %q, %v; want %q", c.ClientIPHeader, err, tt.want)
			}
		})
	}
}

// TestStartupSettings pins BOSANG_MIGRATE, BOSANG_DB_MAX_CONNS and
// BOSANG_DRAIN_DELAY with their defaults and boundaries.
func TestStartupSettings(t *testing.T) {
	key := strings.Repeat("ab", 32)
	for _, tt := range []struct {
		name    string
		vars    map[string]string
		migrate string
		conns   int
		drain   time.Duration
		badIn   string
	}{
		{"development defaults", nil, config.MigrateAuto, 0, 0, ""},
		{"production drains 5s by default", map[string]string{"BOSANG_ENV": "production"}, config.MigrateAuto, 0, 5 * time.Second, ""},
		{"migrate off", map[string]string{"BOSANG_MIGRATE": "off"}, config.MigrateOff, 0, 0, ""},
		{"migrate something else", map[string]string{"BOSANG_MIGRATE": "yes"}, "", 0, 0, "BOSANG_MIGRATE"},
		{"exactly the smallest pool", map[string]string{"BOSANG_DB_MAX_CONNS": "4"}, config.MigrateAuto, 4, 0, ""},
		{"one below the smallest pool", map[string]string{"BOSANG_DB_MAX_CONNS": "3"}, "", 0, 0, "BOSANG_DB_MAX_CONNS"},
		{"a pool that is not a number", map[string]string{"BOSANG_DB_MAX_CONNS": "twenty"}, "", 0, 0, "BOSANG_DB_MAX_CONNS"},
		{"no drain in production", map[string]string{"BOSANG_ENV": "production", "BOSANG_DRAIN_DELAY": "0s"}, config.MigrateAuto, 0, 0, ""},
		{"exactly the longest drain", map[string]string{"BOSANG_DRAIN_DELAY": "2m"}, config.MigrateAuto, 0, 2 * time.Minute, ""},
		{"a drain over two minutes", map[string]string{"BOSANG_DRAIN_DELAY": "2m1s"}, "", 0, 0, "BOSANG_DRAIN_DELAY"},
		{"a negative drain", map[string]string{"BOSANG_DRAIN_DELAY": "-1s"}, "", 0, 0, "BOSANG_DRAIN_DELAY"},
		{"a drain without a unit", map[string]string{"BOSANG_DRAIN_DELAY": "5"}, "", 0, 0, "BOSANG_DRAIN_DELAY"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]string{"BOSANG_DATA_DIR": t.TempDir(), "BOSANG_JWT_KEY": key, "BOSANG_CSRF_KEY": key,
				"BOSANG_ENCRYPTION_KEY": key, "BOSANG_AUDIT_KEY": key}
			for k, v := range tt.vars {
				vars[k] = v
			}
			c, err := config.Load(env(vars))
			if tt.badIn != "" {
				if err == nil || !strings.Contains(err.Error(), tt.badIn) {
					t.Fatalf("got %v, want an error naming %s", err, tt.badIn)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Migrate != tt.migrate || c.DBMaxConns != tt.conns || c.DrainDelay != tt.drain {
				t.Errorf("got migrate %q, %d conns, drain %v; want %q, %d, %v", c.Migrate, c.DBMaxConns, c.DrainDelay, tt.migrate, tt.conns, tt.drain)
			}
			if r := c.Redacted(); r["migrate"] != tt.migrate || r["drain_delay"] != tt.drain.String() {
				t.Errorf("Redacted: migrate %q, drain %q", r["migrate"], r["drain_delay"])
			}
		})
	}
}

// TestAdmissionSettings: BOSANG_MAX_IN_FLIGHT and BOSANG_ADMISSION_WAIT at
// and past their bounds.
func TestAdmissionSettings(t *testing.T) {
	key := strings.Repeat("ab", 32)
	for _, tt := range []struct {
		name     string
		vars     map[string]string
		inFlight int
		wait     time.Duration
		badIn    string
	}{
		{"defaults: half the pool, two seconds", nil, 0, config.DefaultAdmissionWait, ""},
		{"exactly one in flight", map[string]string{"BOSANG_MAX_IN_FLIGHT": "1"}, 1, config.DefaultAdmissionWait, ""},
		{"none in flight", map[string]string{"BOSANG_MAX_IN_FLIGHT": "0"}, 0, 0, "BOSANG_MAX_IN_FLIGHT"},
		{"exactly the most in flight", map[string]string{"BOSANG_MAX_IN_FLIGHT": "10000"}, 10000, config.DefaultAdmissionWait, ""},
		{"one over the most in flight", map[string]string{"BOSANG_MAX_IN_FLIGHT": "10001"}, 0, 0, "BOSANG_MAX_IN_FLIGHT"},
		{"in flight not a number", map[string]string{"BOSANG_MAX_IN_FLIGHT": "ten"}, 0, 0, "BOSANG_MAX_IN_FLIGHT"},
		{"exactly the shortest wait", map[string]string{"BOSANG_ADMISSION_WAIT": "1ms"}, 0, time.Millisecond, ""},
		{"a wait under a millisecond", map[string]string{"BOSANG_ADMISSION_WAIT": "999us"}, 0, 0, "BOSANG_ADMISSION_WAIT"},
		{"exactly the longest wait", map[string]string{"BOSANG_ADMISSION_WAIT": "10s"}, 0, 10 * time.Second, ""},
		{"a wait past the longest", map[string]string{"BOSANG_ADMISSION_WAIT": "10.001s"}, 0, 0, "BOSANG_ADMISSION_WAIT"},
		{"a wait without a unit", map[string]string{"BOSANG_ADMISSION_WAIT": "2"}, 0, 0, "BOSANG_ADMISSION_WAIT"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]string{"BOSANG_JWT_KEY": key, "BOSANG_CSRF_KEY": key, "BOSANG_ENCRYPTION_KEY": key, "BOSANG_AUDIT_KEY": key}
			for k, v := range tt.vars {
				vars[k] = v
			}
			c := loadOrRefused(t, vars, tt.badIn)
			if c == nil {
				return
			}
			if c.MaxInFlight != tt.inFlight || c.AdmissionWait != tt.wait {
				t.Errorf("got %d in flight, wait %v; want %d, %v", c.MaxInFlight, c.AdmissionWait, tt.inFlight, tt.wait)
			}
			inFlight := "default (half the pool, on PostgreSQL at least a filing group)"
			if tt.inFlight > 0 {
				inFlight = strconv.Itoa(tt.inFlight)
			}
			if r := c.Redacted(); r["admission_wait"] != tt.wait.String() || r["max_in_flight"] != inFlight {
				t.Errorf("Redacted: admission_wait %q, max_in_flight %q; want %q, %q", r["admission_wait"], r["max_in_flight"], tt.wait, inFlight)
			}
		})
	}
}

// TestClaimPageCacheSetting: BOSANG_CLAIM_PAGE_CACHE unset keeps the
// store's default (-1), 0 turns the cache off, and a million pages is the
// most it takes.
func TestClaimPageCacheSetting(t *testing.T) {
	for _, tt := range []struct {
		name, value string
		want        int
		redacted    string
		badIn       string
	}{
		{"unset keeps the store's default", "", -1, "default", ""},
		{"zero is no cache", "0", 0, "0", ""},
		{"exactly a million", "1000000", 1_000_000, "1000000", ""},
		{"one over a million", "1000001", 0, "", "BOSANG_CLAIM_PAGE_CACHE"},
		{"negative", "-1", 0, "", "BOSANG_CLAIM_PAGE_CACHE"},
		{"not a number", "many", 0, "", "BOSANG_CLAIM_PAGE_CACHE"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := loadOrRefused(t, map[string]string{"BOSANG_CLAIM_PAGE_CACHE": tt.value}, tt.badIn)
			if c == nil {
				return
			}
			if c.ClaimPageCache != tt.want || c.Redacted()["claim_page_cache"] != tt.redacted {
				t.Errorf("got %d (%q); want %d (%q)", c.ClaimPageCache, c.Redacted()["claim_page_cache"], tt.want, tt.redacted)
			}
		})
	}
}
