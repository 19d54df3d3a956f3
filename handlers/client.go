package handlers

import (
	"net/netip"

	"github.com/gin-gonic/gin"
)

// clientAddr names the client for throttles and rate limits: its IPv4
// address, or the /64 network of an IPv6 address, since one subscriber is
// routinely given a whole /64 and could otherwise change address at will.
func clientAddr(c *gin.Context) string {
	ip := c.ClientIP()
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
