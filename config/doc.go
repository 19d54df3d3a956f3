// Package config reads Bosang's settings from the environment. In development
// any missing secret is generated once and kept in the data directory; in
// production a missing secret stops start-up with a message that names it.
package config
