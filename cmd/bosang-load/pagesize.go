package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"

	"github.com/jackc/pgx/v5/pgxpool"
)

var assetRef = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)

// pageSize reports the bytes a claimant's browser transfers on the first
// load of their claim page: the HTML and every stylesheet and script it
// references (no cache, no compression).
func pageSize(ctx context.Context, dsn, target string, out io.Writer) error {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	var email, claimID string
	err = pool.QueryRow(ctx, `SELECT u.email, c.id FROM users u JOIN claims c ON c.claimant_id = u.id WHERE u.email LIKE 'load-%' LIMIT 1`).Scan(&email, &claimID)
	if err != nil {
		return fmt.Errorf("a load claimant with a claim: %w", err)
	}
	token, err := login(ctx, target, email)
	if err != nil {
		return err
	}
	// fetch returns the body as it went over the wire (wire) and as the
	// browser uses it (size). Asking for gzip explicitly turns off the
	// transport's transparent decompression, so the wire bytes are counted.
	fetch := func(path string) (body []byte, wire, size int, err error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target+path, nil)
		req.AddCookie(&http.Cookie{Name: "bosang_at", Value: token})
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, 0, 0, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, 0, 0, fmt.Errorf("GET %s: %d", path, resp.StatusCode)
		}
		raw, err := io.ReadAll(resp.Body)
		if err != nil || resp.Header.Get("Content-Encoding") != "gzip" {
			return raw, len(raw), len(raw), err
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, 0, 0, fmt.Errorf("GET %s: %w", path, err)
		}
		body, err = io.ReadAll(zr)
		return body, len(raw), len(body), err
	}
	for _, page := range []string{"/claims/" + claimID, "/claims", "/status"} {
		html, wire, size, err := fetch(page)
		if err != nil {
			return err
		}
		for _, m := range assetRef.FindAllSubmatch(html, -1) {
			_, w, n, err := fetch(string(m[1]))
			if err != nil {
				return err
			}
			wire, size = wire+w, size+n
		}
		fmt.Fprintf(out, "- %s: %.1f KB transferred, %.1f KB uncompressed (HTML %.1f KB)\n", pageName(page),
			float64(wire)/1024, float64(size)/1024, float64(len(html))/1024)
	}
	return nil
}

func pageName(p string) string {
	if len(p) > 8 && p[:8] == "/claims/" {
		return "/claims/{id}"
	}
	return p
}
