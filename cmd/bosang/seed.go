package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/auth"
)

// demoAccount is one account the demo seed creates.
type demoAccount struct{ email, name, phone, role string }

var demoAccounts = []demoAccount{
	{"admin@demo.bosang.kr", "관리자", "010-0000-0001", "admin"},
	{"operator@demo.bosang.kr", "운영자 김", "010-0000-0002", "operator"},
	{"reviewer@demo.bosang.kr", "심사자 이", "010-0000-0003", "reviewer"},
	{"reviewer2@demo.bosang.kr", "심사자 박", "010-0000-0004", "reviewer"},
	{"supervisor@demo.bosang.kr", "감독자 최", "010-0000-0005", "supervisor"},
	{"user@demo.bosang.kr", "이용자 정", "010-1234-0001", "claimant"},
	{"driver@demo.bosang.kr", "택시기사 강", "010-1234-0002", "claimant"},
	{"merchant@demo.bosang.kr", "사장님 조", "010-1234-0003", "claimant"},
}

// demoPassword is printed with the accounts; demo data is for local use only.
const demoPassword = "bosang-demo-2022"

func seed(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "create demo accounts and data")
	if err := fs.Parse(args); err != nil || !*demo {
		return usageError("usage: bosang seed --demo")
	}
	a, err := open(ctx, getenv)
	if err != nil {
		return err
	}
	defer a.Close()
	if a.cfg.Env == "production" {
		return errors.New("refusing to seed demo accounts in production")
	}
	fmt.Fprintf(out, "Demo accounts (password for all: %s)\n", demoPassword)
	for _, d := range demoAccounts {
		_, err := a.auth.CreateUser(ctx, auth.NewUser{Email: d.email, Password: demoPassword, Name: d.name, Phone: d.phone, Role: d.role})
		state := "created"
		if errors.Is(err, apperr.ErrConflict) {
			state = "exists"
		} else if err != nil {
			return fmt.Errorf("seed %s: %w", d.email, err)
		}
		fmt.Fprintf(out, "  %-11s %-28s %s\n", d.role, d.email, state)
	}
	fmt.Fprintln(out, "Staff accounts (admin, operator, reviewers, supervisor) need a second factor: at their first")
	fmt.Fprintln(out, "login the portal shows a setup key for an authenticator app (TOTP) and asks for its code.")
	fmt.Fprintln(out, "A lost authenticator: bosang user reset-mfa --email E")
	operator, err := a.db.UserByEmail(ctx, "operator@demo.bosang.kr")
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "Demo outages")
	if err := seedOutages(ctx, a, operator, out); err != nil {
		return err
	}
	if err := seedClaims(ctx, a, operator, out); err != nil {
		return err
	}
	if err := seedReview(ctx, a, out); err != nil {
		return err
	}
	return seedOffers(ctx, a, out)
}
