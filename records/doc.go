// Package records parses the sales records merchants upload and the trip
// records taxi and designated drivers upload, as evidence for a loss
// estimate (DOMAIN.md sections 3 and 5).
//
// The format is decided by the bytes, not the file name: a file starting
// with the zip magic "PK\x03\x04" is read as XLSX (first sheet, raw cell
// values, so date cells arrive as Excel serial numbers); anything else is
// CSV. CSV may be UTF-8 with or without a BOM, UTF-16 with a BOM, or
// CP949/EUC-KR, decided at the first non-ASCII byte; CRLF or LF; comma- or
// tab-separated (decided on the first line).
//
// Headers may be Korean or English and are matched case-insensitively
// through a small synonym table, ignoring spaces, "_", "-", "." and a
// bracketed unit ("결제금액(원)"). Up to ten title lines may precede the
// header. Unknown columns are ignored.
//
// Amounts are whole won: "1,234,000", "₩1,234,000", "1,234,000원",
// "-5,000" or "(5,000)". Sales may be negative (refunds); fares may not.
// Times without an offset are wall-clock times in the caller's location;
// RFC 3339 times keep their instant and are returned in that location.
//
// Every bad cell becomes a *LineError naming the line and column in Korean
// and English; the parser collects up to Limits.MaxErrors of them so a
// claimant can fix the file in one go. It never panics, and memory beyond the
// returned rows is bounded by Limits (XLSX files are read whole, up to
// Limits.MaxXLSXBytes, because zip needs random access, and unpack to at most
// Limits.MaxXLSXUnzipBytes, checked against the sizes the zip declares before
// anything is unpacked and counted while unpacking). Nothing is written to
// disk. A file over a bound is a *LimitError (ErrTooLarge).
//
// Dependencies beyond the standard library: excelize for XLSX and
// golang.org/x/text for CP949 and UTF-16. SalesPoints and TripPoints adapt
// the rows to package estimate.
package records
