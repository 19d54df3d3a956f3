package main

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// startBaseline serves the raw baseline on a loopback port: a minimal gin +
// pgx handler that INSERTs one claim-like row per POST and SELECTs one by id
// per GET, against the same PostgreSQL. Every Bosang figure is read as a
// ratio of it, since absolute numbers drift on a shared machine.
func startBaseline(ctx context.Context, pool *pgxpool.Pool) (*baseline, func(), error) {
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_baseline_claims (
  id uuid PRIMARY KEY, claimant_id uuid NOT NULL, outage_id uuid NOT NULL, category text NOT NULL,
  body jsonb NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL)`); err != nil {
		return nil, nil, err
	}
	ids, err := seedBaseline(ctx, pool, 2000)
	if err != nil {
		return nil, nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.POST("/claims", func(c *gin.Context) {
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			c.Status(http.StatusBadRequest)
			return
		}
		id := uuid.Must(uuid.NewV7())
		_, err = pool.Exec(c.Request.Context(), `INSERT INTO bench_baseline_claims (id, claimant_id, outage_id, category, body, status, created_at)
VALUES ($1, $2, $3, 'driver', $4, 'submitted', now())`, id, uuid.New(), uuid.New(), body)
		if err != nil {
			c.Status(http.StatusInternalServerError)
			return
		}
		c.JSON(http.StatusCreated, gin.H{"id": id})
	})
	r.GET("/claims/:id", func(c *gin.Context) {
		var id, status string
		var body []byte
		err := pool.QueryRow(c.Request.Context(), `SELECT id, status, body FROM bench_baseline_claims WHERE id = $1`, c.Param("id")).Scan(&id, &status, &body)
		if errors.Is(err, pgx.ErrNoRows) {
			c.Status(http.StatusNotFound)
			return
		}
		if err != nil {
			c.Status(http.StatusInternalServerError)
			return
		}
		c.JSON(http.StatusOK, gin.H{"id": id, "status": status, "body": string(body)})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // stopped below
	return &baseline{url: "http://" + ln.Addr().String(), ids: ids}, func() { srv.Close() }, nil
}

// baseline is the running raw baseline and rows it can read.
type baseline struct {
	url string
	ids []string
}

// seedBaseline inserts rows for the GET side to read.
func seedBaseline(ctx context.Context, pool *pgxpool.Pool, n int) ([]string, error) {
	ids := make([]string, n)
	rows := make([][]any, n)
	for i := range ids {
		id := uuid.Must(uuid.NewV7())
		ids[i] = id.String()
		rows[i] = []any{id, uuid.New(), uuid.New(), "driver", []byte(`{"seed":true}`), "submitted", time.Now().UTC()}
	}
	_, err := pool.CopyFrom(ctx, pgx.Identifier{"bench_baseline_claims"}, []string{"id", "claimant_id", "outage_id", "category", "body", "status", "created_at"}, pgx.CopyFromRows(rows))
	return ids, err
}

func baselineInsert(fx *fixture, b *baseline) vegeta.Targeter {
	return func(t *vegeta.Target) error {
		t.Method, t.URL = http.MethodPost, b.url+"/claims"
		t.Body = claimBody(fx.outages[rand.IntN(len(fx.outages))], "driver")
		t.Header = http.Header{"Content-Type": {"application/json"}}
		return nil
	}
}

func baselineGet(b *baseline) vegeta.Targeter {
	return func(t *vegeta.Target) error {
		t.Method, t.URL = http.MethodGet, b.url+"/claims/"+b.ids[rand.IntN(len(b.ids))]
		t.Header = http.Header{}
		return nil
	}
}
