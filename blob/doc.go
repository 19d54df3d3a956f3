// Package blob stores uploaded files by a server-generated key: on local disk
// by default (Disk), or in a bucket of an S3-compatible server (S3) that
// several instances share. Keys are never derived from client input, so a
// file name such as "../../etc/passwd" cannot steer where anything is
// written.
//
// Encrypted wraps either store so that the bytes are encrypted before they
// leave the process: each file gets its own random data key, sealed with the
// portal's key and kept in a small header in front of the file, and the
// content is a DARE 2.0 stream (github.com/minio/sio), authenticated in 64 KiB
// packages, so files are written and read as streams and a reader can seek
// without decrypting what lies before.
package blob
