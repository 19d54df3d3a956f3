package config

import (
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// The values of BOSANG_MIGRATE.
const (
	MigrateAuto = "auto"
	MigrateOff  = "off"
)

// DefaultClientIPHeader is the header a trusted proxy names the client in
// unless BOSANG_CLIENT_IP_HEADER says otherwise.
const DefaultClientIPHeader = "X-Forwarded-For"

// MinDBMaxConns is the smallest pool BOSANG_DB_MAX_CONNS accepts: a
// request's transaction, the audit sealer waiting on its lock and the
// background jobs each hold a connection at once.
const MinDBMaxConns = 4

// maxClaimPageCache bounds BOSANG_CLAIM_PAGE_CACHE: a million pages of
// decided, paid claims with a few files take some 3.2 GB of memory.
const maxClaimPageCache = 1_000_000

// MinMaxInFlight is the fewest expensive requests a process runs at once
// when BOSANG_MAX_IN_FLIGHT is left to the pool's size: a login's password
// hash needs no connection, so a one-connection SQLite trial still hashes
// a few at a time.
const MinMaxInFlight = 4

// DefaultAdmissionWait is how long an expensive request waits in line for a
// slot before it is answered 503. It is long enough for the queue of make
// bench's filing at 64 connections on two cores (a filing's p99 of 120-190
// ms there) and short enough that a phone is told to come back rather than
// left on a spinner.
const DefaultAdmissionWait = 2 * time.Second

// maxAdmissionWait bounds BOSANG_ADMISSION_WAIT below the request deadline
// (15 s), so a waiting request is refused, never timed out.
const maxAdmissionWait = 10 * time.Second

// DefaultDrainDelay is BOSANG_DRAIN_DELAY in production: a few of a load
// balancer's health checks (Caddy's in docker-compose.yml run every 2 s).
// Development stops at once.
const DefaultDrainDelay = 5 * time.Second

// maxDrainDelay bounds BOSANG_DRAIN_DELAY: longer is a mistake that would
// outlast any orchestrator's stop timeout.
const maxDrainDelay = 2 * time.Minute

// loadEdge reads the settings of running behind a proxy and beside other
// instances; each error names its variable.
func (c *Config) loadEdge(getenv func(string) string) error {
	var err error
	if c.TrustedProxies, err = parseTrustedProxies(getenv("BOSANG_TRUSTED_PROXIES")); err != nil {
		return err
	}
	if c.ClientIPHeader, err = parseClientIPHeader(getenv("BOSANG_CLIENT_IP_HEADER")); err != nil {
		return err
	}
	switch c.Migrate = or(strings.TrimSpace(getenv("BOSANG_MIGRATE")), MigrateAuto); c.Migrate {
	case MigrateAuto, MigrateOff:
	default:
		return fmt.Errorf("BOSANG_MIGRATE must be %q (apply pending migrations at start) or %q (`bosang migrate` does; a start with pending migrations is refused), got %q",
			MigrateAuto, MigrateOff, c.Migrate)
	}
	if v := strings.TrimSpace(getenv("BOSANG_DB_MAX_CONNS")); v != "" {
		if c.DBMaxConns, err = strconv.Atoi(v); err != nil || c.DBMaxConns < MinDBMaxConns {
			return fmt.Errorf("BOSANG_DB_MAX_CONNS must be a whole number of connections, %d or more, got %q", MinDBMaxConns, v)
		}
	}
	c.ClaimPageCache = -1
	if v := strings.TrimSpace(getenv("BOSANG_CLAIM_PAGE_CACHE")); v != "" {
		if c.ClaimPageCache, err = strconv.Atoi(v); err != nil || c.ClaimPageCache < 0 || c.ClaimPageCache > maxClaimPageCache {
			return fmt.Errorf("BOSANG_CLAIM_PAGE_CACHE must be a whole number of claim pages from 0 (none) to %d, got %q", maxClaimPageCache, v)
		}
	}
	if v := strings.TrimSpace(getenv("BOSANG_MAX_IN_FLIGHT")); v != "" {
		if c.MaxInFlight, err = strconv.Atoi(v); err != nil || c.MaxInFlight < 1 || c.MaxInFlight > 10_000 {
			return fmt.Errorf("BOSANG_MAX_IN_FLIGHT must be a whole number of requests from 1 to 10000, got %q", v)
		}
	}
	c.AdmissionWait = DefaultAdmissionWait
	if v := strings.TrimSpace(getenv("BOSANG_ADMISSION_WAIT")); v != "" {
		if c.AdmissionWait, err = time.ParseDuration(v); err != nil || c.AdmissionWait < time.Millisecond || c.AdmissionWait > maxAdmissionWait {
			return fmt.Errorf("BOSANG_ADMISSION_WAIT must be a duration from 1ms to %s (e.g. 2s), got %q", maxAdmissionWait, v)
		}
	}
	c.DrainDelay = 0
	if c.Env == Production {
		c.DrainDelay = DefaultDrainDelay
	}
	if v := strings.TrimSpace(getenv("BOSANG_DRAIN_DELAY")); v != "" {
		if c.DrainDelay, err = time.ParseDuration(v); err != nil || c.DrainDelay < 0 || c.DrainDelay > maxDrainDelay {
			return fmt.Errorf("BOSANG_DRAIN_DELAY must be a duration from 0s to %s (e.g. 5s), got %q", maxDrainDelay, v)
		}
	}
	return nil
}

// parseTrustedProxies reads comma-separated IP addresses and CIDR
// prefixes, and returns them as prefixes (an address is a /32 or /128; a
// prefix with host bits set is masked). Host names are refused: a proxy is
// trusted by the address it connects from.
func parseTrustedProxies(v string) ([]string, error) {
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		var (
			p   netip.Prefix
			err error
		)
		if strings.Contains(item, "/") {
			p, err = netip.ParsePrefix(item)
		} else {
			var a netip.Addr
			if a, err = netip.ParseAddr(item); err == nil && a.Zone() == "" {
				a = a.Unmap()
				p = netip.PrefixFrom(a, a.BitLen())
			}
		}
		if err != nil || !p.IsValid() {
			return nil, fmt.Errorf("BOSANG_TRUSTED_PROXIES: %q is not an IP address or CIDR prefix (e.g. 172.30.0.0/24, 10.0.0.2, fd00::/8; host names are not accepted)", item)
		}
		out = append(out, p.Masked().String())
	}
	return out, nil
}

// parseClientIPHeader checks that v names one header whose value is a
// comma-separated list of addresses, the form gin reads from the right.
func parseClientIPHeader(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return DefaultClientIPHeader, nil
	}
	if !isToken(v) {
		return "", fmt.Errorf("BOSANG_CLIENT_IP_HEADER must be one header name such as X-Forwarded-For or X-Real-IP, got %q", v)
	}
	if strings.EqualFold(v, "Forwarded") {
		return "", fmt.Errorf("BOSANG_CLIENT_IP_HEADER cannot be Forwarded (RFC 7239's for= syntax is not read); have the proxy set X-Forwarded-For or X-Real-IP")
	}
	return http.CanonicalHeaderKey(v), nil
}

// isToken reports whether s is an HTTP header name (RFC 9110 token).
func isToken(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return s != ""
}

// redactedEdge adds the edge settings to the start-up description.
func (c *Config) redactedEdge(m map[string]string) {
	proxies := "none"
	if len(c.TrustedProxies) > 0 {
		proxies = strings.Join(c.TrustedProxies, ",")
	}
	conns := "default"
	if c.DBMaxConns > 0 {
		conns = strconv.Itoa(c.DBMaxConns)
	}
	m["trusted_proxies"], m["client_ip_header"], m["migrate"] = proxies, c.ClientIPHeader, c.Migrate
	inFlight := "default (half the pool, on PostgreSQL at least a filing group)"
	if c.MaxInFlight > 0 {
		inFlight = strconv.Itoa(c.MaxInFlight)
	}
	m["db_max_conns"], m["drain_delay"] = conns, c.DrainDelay.String()
	m["max_in_flight"], m["admission_wait"] = inFlight, c.AdmissionWait.String()
	m["claim_page_cache"] = "default"
	if c.ClaimPageCache >= 0 {
		m["claim_page_cache"] = strconv.Itoa(c.ClaimPageCache)
	}
}
