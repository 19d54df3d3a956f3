package handlers

import (
	"fmt"
	"net/http"
	"net/netip"

	"github.com/gin-gonic/gin"
)

// defaultClientIPHeader is the header a trusted proxy names the client in
// unless Deps.ClientIPHeader says otherwise.
const defaultClientIPHeader = "X-Forwarded-For"

// trustProxies makes gin believe header only from the trusted peers. The
// header's comma-separated addresses are read from the right, skipping
// trusted proxies: the first untrusted one is the client. A proxy appends
// the address it saw, so whatever a client writes itself stays on the left
// and is never reached while a real, untrusted address stands to its right.
// From an untrusted peer the header is ignored.
func trustProxies(r *gin.Engine, proxies []string, header string) error {
	if err := r.SetTrustedProxies(proxies); err != nil {
		return fmt.Errorf("trusted proxies: %w", err)
	}
	if header == "" {
		header = defaultClientIPHeader
	}
	r.ForwardedByClientIP = true
	r.RemoteIPHeaders = []string{http.CanonicalHeaderKey(header)}
	r.TrustedPlatform = ""
	return nil
}

// clientIP is the client's address, the one every throttle, rate limit,
// fraud signal, access record and audit entry uses: the peer's address, or,
// when the peer is a trusted proxy (trustProxies), the address the proxy
// names. Nothing else in this package reads the peer or the header.
func clientIP(c *gin.Context) string { return c.ClientIP() }

// clientAddr names the client for throttles and rate limits: its IPv4
// address, or the /64 network of an IPv6 address, since one subscriber is
// routinely given a whole /64 and could otherwise change address at will.
func clientAddr(c *gin.Context) string {
	ip := clientIP(c)
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}
