package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/models"
)

const userUsage = "usage: bosang user create --email E --password P --name N --role R | reset-mfa --email E"

func userCmd(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	if len(args) == 0 {
		return usageError(userUsage)
	}
	switch args[0] {
	case "create":
		return userCreate(ctx, args[1:], getenv, out)
	case "reset-mfa":
		return userResetMFA(ctx, args[1:], getenv, out)
	}
	return usageError(userUsage)
}

func userCreate(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	email := fs.String("email", "", "e-mail address")
	password := fs.String("password", "", "password (at least 10 characters)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "", "operator, reviewer, supervisor or admin")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	r, err := models.ParseRole(*role)
	if err != nil || !r.IsStaff() {
		return usageError("--role must be operator, reviewer, supervisor or admin")
	}
	a, err := open(ctx, getenv)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.auth.CreateUser(ctx, auth.NewUser{Email: *email, Password: *password, Name: *name, Role: r.String()})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, u.ID)
	return nil
}

// userResetMFA removes a staff member's second factor and recovery codes,
// for a lost phone: their sessions end, their next login enrols a new
// authenticator, and the audit trail records the reset (by the system, as
// no one is logged in here).
func userResetMFA(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("user reset-mfa", flag.ContinueOnError)
	email := fs.String("email", "", "the staff member's e-mail address")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if *email == "" || fs.NArg() > 0 {
		return usageError("usage: bosang user reset-mfa --email E")
	}
	a, err := open(ctx, getenv)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.auth.ResetMFA(ctx, *email)
	if err != nil {
		return fmt.Errorf("reset the second factor of %s: %w", *email, err)
	}
	fmt.Fprintf(out, "second factor of %s (%s) removed; their sessions ended; they enrol again at their next login\n", u.Email, u.ID)
	return nil
}

func healthcheck(ctx context.Context, getenv func(string) string) error {
	addr := getenv("BOSANG_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz answered %d", resp.StatusCode)
	}
	return nil
}
