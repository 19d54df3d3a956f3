package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
)

// messageCheck is what the outbox and the portals' logs say about the
// notifications (issue 13, jobs on River). Without SMTP every message goes
// to the log sender, one "notification" line per send.
type messageCheck struct {
	Rows, Delivered, Dead int
	// Waiting are undelivered rows whose job is queued, or marked for the
	// dispatcher to queue: the instances were stopped before they got to
	// it; the next start sends them.
	Waiting int
	// Stuck are undelivered rows whose job was running in a process that
	// was SIGKILLed: River hands it to another instance after 30 minutes.
	Stuck int
	// Sent is the distinct messages the logs show sent; SentTwice those sent
	// more than once (dedupe ids; the first few in Twice).
	Sent, SentTwice int
	Twice           []string
}

// checkMessages counts the outbox's rows and each message's sends in the
// instances' logs.
func checkMessages(ctx context.Context, fx *fixture, logs []string) (*messageCheck, error) {
	conn, err := pgx.Connect(ctx, fx.DSN)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	mc := &messageCheck{}
	// A message marked for the dispatcher waits as one with a queued job.
	// The jobs are grouped by their outbox id and hash-joined: a probe of
	// river_job per undelivered row (args @> …) took minutes once tens of
	// thousands of messages were still waiting at the end of a phase.
	err = conn.QueryRow(ctx, `SELECT count(*), count(o.delivered_at), count(o.dead_at),
  count(*) FILTER (WHERE o.delivered_at IS NULL AND (j.waiting OR u.outbox_id IS NOT NULL)),
  count(*) FILTER (WHERE o.delivered_at IS NULL AND j.running)
FROM outbox o
LEFT JOIN (SELECT args->>'outbox_id' AS outbox_id,
    bool_or(state IN ('available', 'retryable', 'scheduled', 'pending')) AS waiting,
    bool_or(state = 'running') AS running
  FROM river_job WHERE args ? 'outbox_id' GROUP BY 1) j ON j.outbox_id = o.id::text
LEFT JOIN outbox_unqueued u ON u.outbox_id = o.id`).Scan(&mc.Rows, &mc.Delivered, &mc.Dead, &mc.Waiting, &mc.Stuck)
	if err != nil {
		return nil, fmt.Errorf("count outbox: %w", err)
	}
	sends := map[string]int{}
	for _, path := range logs {
		if err := countSends(path, sends); err != nil {
			return nil, err
		}
	}
	for id, n := range sends {
		mc.Sent++
		if n > 1 {
			mc.SentTwice++
			if len(mc.Twice) < 5 {
				mc.Twice = append(mc.Twice, fmt.Sprintf("%s sent %d times", id, n))
			}
		}
	}
	return mc, nil
}

// countSends adds the log sender's notification lines of one log file.
func countSends(path string, sends map[string]int) error {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !strings.Contains(string(line), `"msg":"notification"`) {
			continue
		}
		var rec struct {
			DedupeID string `json:"dedupe_id"`
		}
		if json.Unmarshal(line, &rec) == nil && rec.DedupeID != "" {
			sends[rec.DedupeID]++
		}
	}
	return sc.Err()
}

// String is the report line.
func (mc *messageCheck) String() string {
	return fmt.Sprintf("outbox messages %d | delivered %d | waiting for a start %d | running in a killed process %d (River rescues after 30 min) | dead %d | sent %d, more than once %d",
		mc.Rows, mc.Delivered, mc.Waiting, mc.Stuck, mc.Dead, mc.Sent, mc.SentTwice)
}
