package main

import (
	"fmt"
	"io"
	"slices"
)

// usage is the whole command line, printed by bosang --help and bosang help.
const usage = `usage: bosang [command] [flags]

commands:
  serve                          run the portal (the default)
  migrate [up|status]            apply or list database migrations
  user create --email E --password P --name N --role R
  user reset-mfa --email E       remove a staff member's second factor (lost phone)
  seed --demo                    create demo accounts (and data)
  adjudicate [--outage ID]       approve what the policy allows, with progress
  audit verify|seal|checkpoint [--export FILE]
  keys fingerprint               print the payout fingerprint key (before a key rotation)
  healthcheck                    exit 0 if the local portal answers /healthz
  version                        print the version
  help [command]                 print this text or a command's

Settings come from BOSANG_* environment variables; see the README.
`

// commandUsage is each command's own usage, printed by bosang CMD --help.
var commandUsage = map[string]string{
	"serve": "usage: bosang serve\n\nRuns the portal with the settings of the BOSANG_* environment variables.\n" +
		"It applies pending migrations first, unless BOSANG_MIGRATE=off: then it refuses a database with pending ones.\n" +
		"On SIGTERM it drains: /readyz fails, requests are served for BOSANG_DRAIN_DELAY, then in-flight ones get 30 s.\n",
	"migrate": "usage: bosang migrate [up|status]\n\nup applies the pending migrations (the default), one process at a time\n" +
		"(a PostgreSQL session lock; connect directly or through PgBouncer in session mode), whatever BOSANG_MIGRATE says;\n" +
		"status lists them without applying.\n",
	"user":        "usage:\n  bosang user create --email E --password P --name N --role R\n  bosang user reset-mfa --email E\n",
	"seed":        "usage: bosang seed --demo\n\nCreates demo accounts and data.\n",
	"adjudicate":  "usage: bosang adjudicate [--outage ID]\n\nApproves the claims the policy allows, with progress.\n",
	"audit":       "usage: bosang audit verify|seal|checkpoint [--export FILE]\n",
	"keys":        "usage: bosang keys fingerprint\n\nPrints the payout fingerprint key before a key rotation; see SECURITY.md.\n",
	"healthcheck": "usage: bosang healthcheck\n\nExits 0 if the local portal answers /healthz.\n",
	"version":     "usage: bosang version\n",
}

// isHelp reports whether a word asks for usage.
func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

// helpRequested answers bosang help [CMD], bosang --help and bosang CMD
// --help (a help flag anywhere among CMD's arguments) by printing usage to
// out; it reports whether it did, so that nothing else runs: serve --help
// never starts a server.
func helpRequested(cmd string, args []string, out io.Writer) bool {
	switch {
	case isHelp(cmd):
		fmt.Fprint(out, usage)
		return true
	case cmd == "help":
		if len(args) > 0 {
			if u, ok := commandUsage[args[0]]; ok {
				fmt.Fprint(out, u)
				return true
			}
		}
		fmt.Fprint(out, usage)
		return true
	case slices.ContainsFunc(args, isHelp):
		if u, ok := commandUsage[cmd]; ok {
			fmt.Fprint(out, u)
		} else {
			fmt.Fprint(out, usage)
		}
		return true
	}
	return false
}
