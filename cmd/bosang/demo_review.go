package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/bosang/bosang/models"
	"io"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/payout"
	"github.com/bosang/bosang/review"
)

// seedReview takes the demo claims through review as staff would in early
// November 2022, so every page has something to show: a driver's claim
// approved and paid, a café's large claim waiting for a second approval, a
// subscriber's claim rejected and appealed, and the partner's still pending.
// Claims already past "submitted" are left as they are.
func seedReview(ctx context.Context, a *app, out io.Writer) error {
	at := time.Date(2022, 11, 1, 10, 0, 0, 0, kstZone)
	rv := review.NewService(a.db.Review(), a.claims, review.DefaultSettings, func() time.Time { return at }, newID)
	reviewer, err := a.db.UserByEmail(ctx, "reviewer@demo.bosang.kr")
	if err != nil {
		return err
	}
	supervisor, err := a.db.UserByEmail(ctx, "supervisor@demo.bosang.kr")
	if err != nil {
		return err
	}
	driver, err := a.db.UserByEmail(ctx, "driver@demo.bosang.kr")
	if err != nil {
		return err
	}
	mine, err := a.claims.List(ctx, driver, claims.Filter{})
	if err != nil {
		return err
	}
	if len(mine) == 0 || mine[0].Status != models.StatusSubmitted {
		fmt.Fprintln(out, "  review demo exists")
		return nil
	}
	plans := map[models.ClaimCategory]review.DecisionInput{
		models.CategoryDriver:         {Outcome: "approve"},
		models.CategoryMerchant:       {Outcome: "approve"},
		models.CategoryPaidSubscriber: {Outcome: "reject", ReasonCode: "insufficient_evidence", Note: "구독 영수증이 확인되지 않습니다."},
	}
	decided := 0
	for range plans {
		v, err := rv.Next(ctx, reviewer)
		if errors.Is(err, apperr.ErrNotFound) {
			break
		}
		if err != nil {
			return err
		}
		in, ok := plans[v.Category]
		if !ok {
			continue // stays under review: a claim in progress for the demo
		}
		version := v.Version
		if _, err := rv.Decide(ctx, reviewer, v.ID, &version, in); err != nil {
			return fmt.Errorf("decide %s: %w", v.Number, err)
		}
		decided++
		if v.Category == models.CategoryPaidSubscriber {
			owner, err := a.db.UserByID(ctx, v.ClaimantID)
			if err != nil {
				return err
			}
			if _, err := rv.Appeal(ctx, owner, v.ID, "구독 영수증을 다시 올렸습니다. 다시 검토해 주세요."); err != nil {
				return err
			}
		}
	}
	batch, err := a.payouts.Build(ctx, payout.Access{Actor: supervisor, IP: "127.0.0.1"}, "")
	if err != nil {
		return fmt.Errorf("demo payout batch: %w", err)
	}
	var items []payout.Settlement
	for _, it := range batch.Items {
		items = append(items, payout.Settlement{ClaimID: it.ClaimID, Status: "paid", Reference: "DEMO-" + it.Number})
	}
	if _, err := a.payouts.Settle(ctx, payout.Access{Actor: supervisor, IP: "127.0.0.1"}, batch.ID, payout.SettleInput{Items: items}); err != nil {
		return fmt.Errorf("demo settlement: %w", err)
	}
	fmt.Fprintf(out, "  review demo: %d decided, 1 appealed, %d paid\n", decided, len(items))
	return nil
}
