// Package clientip finds the address of the client behind a request. Every
// per-address limit (sign-in delays, web-chat floods) keys on it, so it
// believes a forwarded address only from a proxy the operator named in
// SAFETYNET_TRUSTED_PROXIES: from anyone else X-Forwarded-For is just a
// header the client wrote.
package clientip

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver knows which peers are trusted proxies. The zero value and nil
// trust no one and return the peer's address.
type Resolver struct {
	trusted []netip.Prefix
}

// New returns a Resolver that believes forwarded addresses from the
// given networks.
func New(trusted []netip.Prefix) *Resolver { return &Resolver{trusted: trusted} }

func (r *Resolver) isTrusted(a netip.Addr) bool {
	if r == nil {
		return false
	}
	a = a.Unmap()
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Addr returns the client's address as text. Behind trusted proxies it is
// the right-most X-Forwarded-For entry that is not itself a trusted proxy
// (entries further left were written by the client and prove nothing),
// else X-Real-IP; otherwise the peer's address.
func (r *Resolver) Addr(req *http.Request) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		host = req.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !r.isTrusted(peer) {
		return host
	}
	if xff := req.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		hops := strings.Split(strings.Join(xff, ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break // a forged or broken list: stop at the last good hop
			}
			if !r.isTrusted(a) {
				return a.Unmap().String()
			}
		}
	}
	if a, err := netip.ParseAddr(strings.TrimSpace(req.Header.Get("X-Real-IP"))); err == nil {
		return a.Unmap().String()
	}
	return peer.Unmap().String()
}
