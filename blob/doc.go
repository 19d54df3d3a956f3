// Package blob stores uploaded files by a server-generated key: on local disk
// by default. Keys are never derived from client input, so a file name such
// as "../../etc/passwd" cannot steer where anything is written.
package blob
