package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain lets a test run the real main (exit codes included) by starting
// this test binary again with BOSANG_TEST_RUN_MAIN set.
func TestMain(m *testing.M) {
	if os.Getenv("BOSANG_TEST_RUN_MAIN") == "1" {
		os.Args = append([]string{"bosang"}, strings.Fields(os.Getenv("BOSANG_TEST_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestHelpPrintsUsageAndExitsZero runs the binary's main: help in every
// spelling prints usage to stdout and exits 0, and serve --help returns at
// once without listening (with no database configured, a server start would
// fail with exit 1 rather than print usage).
func TestHelpPrintsUsageAndExitsZero(t *testing.T) {
	for _, tc := range []struct{ args, want string }{
		{"--help", "usage: bosang [command]"},
		{"-h", "usage: bosang [command]"},
		{"help", "usage: bosang [command]"},
		{"help user", "bosang user reset-mfa --email E"},
		{"serve --help", "usage: bosang serve"},
		{"user --help", "bosang user create"},
		{"user create --help", "bosang user create"},
		{"migrate -h", "usage: bosang migrate"},
		{"audit verify --help", "usage: bosang audit"},
		{"nosuch --help", "usage: bosang [command]"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "BOSANG_TEST_RUN_MAIN=1", "BOSANG_TEST_ARGS="+tc.args, "BOSANG_DATABASE_URL=", "BOSANG_ADDR=127.0.0.1:1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("bosang %s: %v (stderr %q)", tc.args, err, stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.want) {
				t.Fatalf("bosang %s printed %q, want it to contain %q", tc.args, stdout.String(), tc.want)
			}
		})
	}
}

// TestUnknownCommandIsAUsageError: a mistake still exits 2 with the list.
func TestUnknownCommandIsAUsageError(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "BOSANG_TEST_RUN_MAIN=1", "BOSANG_TEST_ARGS=nosuch")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("bosang nosuch: got %v, want exit status 2", err)
	}
	if !strings.Contains(stderr.String(), "help") {
		t.Fatalf("stderr %q does not mention help", stderr.String())
	}
}
