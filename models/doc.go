// Package models holds Bosang's plain entity structs and typed enums. It
// imports only the standard library so that every other layer can depend on
// it without dragging in a framework.
package models
