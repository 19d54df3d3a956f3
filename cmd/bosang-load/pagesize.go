package main

import (
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
	fetch := func(path string) ([]byte, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target+path, nil)
		req.AddCookie(&http.Cookie{Name: "bosang_at", Value: token})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %d", path, resp.StatusCode)
		}
		return io.ReadAll(resp.Body)
	}
	for _, page := range []string{"/claims/" + claimID, "/claims", "/status"} {
		html, err := fetch(page)
		if err != nil {
			return err
		}
		total := len(html)
		for _, m := range assetRef.FindAllSubmatch(html, -1) {
			b, err := fetch(string(m[1]))
			if err != nil {
				return err
			}
			total += len(b)
		}
		fmt.Fprintf(out, "- %s: %.1f KB (HTML %.1f KB)\n", pageName(page), float64(total)/1024, float64(len(html))/1024)
	}
	return nil
}

func pageName(p string) string {
	if len(p) > 8 && p[:8] == "/claims/" {
		return "/claims/{id}"
	}
	return p
}
