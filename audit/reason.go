package audit

import (
	"strings"

	"github.com/bosang/bosang/apperr"
)

// MaxDownloadReason bounds the reason given for downloading personal data
// (a transfer file, a credit file), in characters.
const MaxDownloadReason = 500

// DownloadReason checks the reason given for downloading personal data,
// which the audit trail records before any byte is sent: it returns the
// reason trimmed, or a *apperr.ValidationError (field "reason") when it is
// missing or longer than MaxDownloadReason.
func DownloadReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if n := len([]rune(reason)); n == 0 || n > MaxDownloadReason {
		return "", apperr.InvalidMsg("reason", apperr.M("audit.download_reason"))
	}
	return reason, nil
}
