package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/encoding/korean"

	"github.com/bosang/bosang/apperr"
)

// SMSSender sends SMS and LMS through NHN Cloud Notification SMS, API
// v3.0, as documented at
// https://docs.nhncloud.com/ko/Notification/SMS/ko/api-guide/ (sections
// 단문 SMS 발송 and 장문 MMS 발송(첨부 파일 미포함)) with the result codes of
// https://docs.nhncloud.com/ko/Notification/SMS/ko/error-code/:
//
//	POST {base}/sms/v3.0/appKeys/{appKey}/sender/sms   (SMS)
//	POST {base}/sms/v3.0/appKeys/{appKey}/sender/mms   (LMS: MMS without attachment)
//	Content-Type: application/json;charset=UTF-8
//	X-Secret-Key: {secret}
//	{"title": ..., "body": ..., "sendNo": ..., "recipientList": [{"recipientNo": ...}]}
//
// and reads {"header": {"isSuccessful", "resultCode", "resultMessage"},
// "body": {"data": {"requestId", "statusCode", "sendResultList":
// [{"recipientNo", "resultCode", "resultMessage", ...}]}}}. A send succeeds
// only when the header says isSuccessful with code 0 and the recipient's
// own result code is 0.
type SMSSender struct {
	base, appKey, secret, sendNo string
	client                       *http.Client
}

// NHNCloudSMSURL is the production address of NHN Cloud Notification SMS
// (the guide's "Real" domain).
const NHNCloudSMSURL = "https://sms.api.nhncloudservice.com"

// The standard sizes of the guide's 주의 사항, in EUC-KR bytes, which is how
// the provider and the carriers count (2 bytes a Hangul syllable).
const (
	SMSMaxBytes      = 90
	LMSMaxBytes      = 2000
	LMSTitleMaxBytes = 40
)

// smsTimeout bounds one request when the caller's context sets no earlier
// deadline.
const smsTimeout = 15 * time.Second

// SMSConfig configures an SMSSender.
type SMSConfig struct {
	// BaseURL is the provider's address; empty is NHNCloudSMSURL.
	BaseURL string
	// AppKey and SecretKey are the project's app key (sent in the path)
	// and secret key (the X-Secret-Key header).
	AppKey, SecretKey string
	// SendNo is the registered sender number, digits only.
	SendNo string
	// Client makes the requests; nil is a client with a 15 s timeout.
	Client *http.Client
}

// NewSMSSender checks cfg and returns its sender.
func NewSMSSender(cfg SMSConfig) (*SMSSender, error) {
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = NHNCloudSMSURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("sms: the base URL must be an http(s) address")
	}
	if cfg.AppKey == "" || cfg.SecretKey == "" || cfg.SendNo == "" {
		return nil, errors.New("sms: the app key, the secret key and the sender number are all needed")
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: smsTimeout}
	}
	return &SMSSender{base: base, appKey: url.PathEscape(cfg.AppKey), secret: cfg.SecretKey, sendNo: cfg.SendNo, client: client}, nil
}

// ErrSMSRejected is a send the provider refused for good (its result code
// says the request, the sender or the recipient is wrong); sending it again
// would fail the same way.
var ErrSMSRejected = errors.New("sms rejected")

// SMSError is a failure the provider reported: an HTTP status, or a result
// code and message from its answer. A retryable one unwraps to
// apperr.ErrUnavailable, any other to ErrSMSRejected.
type SMSError struct {
	HTTPStatus int    // 0 when the answer was read
	Code       int    // the header's or the recipient's resultCode
	Message    string // the provider's resultMessage
	Retry      bool
}

// Error names the code and the provider's message, never the keys.
func (e *SMSError) Error() string {
	if e.HTTPStatus != 0 {
		return fmt.Sprintf("sms provider answered HTTP %d%s", e.HTTPStatus, optional(": ", e.Message))
	}
	return fmt.Sprintf("sms provider result %d%s", e.Code, optional(": ", e.Message))
}

// Unwrap makes a retryable SMSError an apperr.ErrUnavailable, any other an
// ErrSMSRejected.
func (e *SMSError) Unwrap() error {
	if e.Retry {
		return apperr.ErrUnavailable
	}
	return ErrSMSRejected
}

// SMSRetryable reports whether a send that failed with err may succeed if
// tried again: the provider was unreachable, slow, answered 429 or 5xx, or
// gave one of the guide's system error codes. Anything else (a bad number,
// a text too long, a refusal) fails the same way every time.
func SMSRetryable(err error) bool {
	return errors.Is(err, apperr.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded)
}

// transientCodes are the guide's result codes of a failure on the
// provider's side: -9999 system error (unexpected), -2021 system error
// (queue insert failed).
var transientCodes = map[int]bool{-9999: true, -2021: true}

// SendSMS sends text to phone: as an SMS when it fits 90 EUC-KR bytes,
// otherwise as an LMS titled title (at most 40 bytes) with up to 2,000
// bytes. A phone that is not a Korean mobile number is ErrNoRecipient, a
// text the carriers cannot carry (too long, characters outside EUC-KR such
// as emoji, an LMS without title) is apperr.ErrInvalid; neither sends
// anything. Other failures are SMSErrors or, for the connection, wrap
// apperr.ErrUnavailable (see SMSRetryable).
func (s *SMSSender) SendSMS(ctx context.Context, phone, title, text string) error {
	to, err := NormalizePhone(phone)
	if err != nil {
		return err
	}
	n, err := eucKRLen("text", text)
	if err != nil {
		return err
	}
	req := smsRequest{Body: text, SendNo: s.sendNo, RecipientList: []smsRecipient{{RecipientNo: to}}}
	kind := "sms"
	switch {
	case n == 0:
		return fmt.Errorf("%w: sms: empty text", apperr.ErrInvalid)
	case n > LMSMaxBytes:
		return fmt.Errorf("%w: sms: text of %d EUC-KR bytes is over the LMS limit of %d", apperr.ErrInvalid, n, LMSMaxBytes)
	case n > SMSMaxBytes:
		tn, err := eucKRLen("title", title)
		if err != nil {
			return err
		}
		if tn == 0 || tn > LMSTitleMaxBytes {
			return fmt.Errorf("%w: sms: an LMS needs a title of 1 to %d EUC-KR bytes, got %d", apperr.ErrInvalid, LMSTitleMaxBytes, tn)
		}
		kind, req.Title = "mms", title
	}
	return s.post(ctx, kind, to, req)
}

// smsRequest is the request body of both sends; Title only for the MMS
// endpoint.
type smsRequest struct {
	Title         string         `json:"title,omitempty"`
	Body          string         `json:"body"`
	SendNo        string         `json:"sendNo"`
	RecipientList []smsRecipient `json:"recipientList"`
}

type smsRecipient struct {
	RecipientNo string `json:"recipientNo"`
}

// smsResponse is the answer of both sends.
type smsResponse struct {
	Header *struct {
		IsSuccessful  bool   `json:"isSuccessful"`
		ResultCode    int    `json:"resultCode"`
		ResultMessage string `json:"resultMessage"`
	} `json:"header"`
	Body *struct {
		Data *struct {
			RequestID      string `json:"requestId"`
			StatusCode     string `json:"statusCode"`
			SendResultList []struct {
				RecipientNo   string `json:"recipientNo"`
				ResultCode    *int   `json:"resultCode"`
				ResultMessage string `json:"resultMessage"`
			} `json:"sendResultList"`
		} `json:"data"`
	} `json:"body"`
}

// post sends req to the sender/{kind} endpoint and checks the answer for
// recipient to.
func (s *SMSSender) post(ctx context.Context, kind, to string, req smsRequest) error {
	payload, err := json.Marshal(req)
	if err != nil {
		return err
	}
	path := "/sms/v3.0/appKeys/" + s.appKey + "/sender/" + kind
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+path, bytes.NewReader(payload))
	if err != nil {
		return errors.New("sms: cannot build the request")
	}
	hr.Header.Set("Content-Type", "application/json;charset=UTF-8")
	hr.Header.Set("X-Secret-Key", s.secret)
	resp, err := s.client.Do(hr)
	if err != nil {
		// The *url.Error names the URL, whose path holds the app key:
		// keep only its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%w: sms: POST sender/%s: %w", apperr.ErrUnavailable, kind, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%w: sms: reading the answer: %w", apperr.ErrUnavailable, err)
	}
	var r smsResponse
	decodeErr := json.Unmarshal(raw, &r)
	if resp.StatusCode/100 != 2 {
		e := &SMSError{HTTPStatus: resp.StatusCode, Retry: resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests}
		if decodeErr == nil && r.Header != nil {
			e.Code, e.Message = r.Header.ResultCode, r.Header.ResultMessage
		}
		return e
	}
	if decodeErr != nil || r.Header == nil {
		// Accepted or not, nobody can tell: the at-least-once contract
		// allows sending again.
		return &SMSError{HTTPStatus: resp.StatusCode, Message: "answer is not the documented JSON", Retry: true}
	}
	h := r.Header
	if !h.IsSuccessful || h.ResultCode != 0 {
		return &SMSError{Code: h.ResultCode, Message: h.ResultMessage, Retry: transientCodes[h.ResultCode]}
	}
	if r.Body == nil || r.Body.Data == nil {
		return &SMSError{Message: "answer without body.data", Retry: true}
	}
	if r.Body.Data.StatusCode == "3" {
		return &SMSError{Message: "request failed (statusCode 3)"}
	}
	for _, res := range r.Body.Data.SendResultList {
		if res.RecipientNo != to {
			continue
		}
		if res.ResultCode == nil {
			return &SMSError{Message: "recipient without result code"}
		}
		if *res.ResultCode != 0 {
			return &SMSError{Code: *res.ResultCode, Message: res.ResultMessage, Retry: transientCodes[*res.ResultCode]}
		}
		return nil
	}
	return &SMSError{Message: "answer names no result for the recipient"}
}

// NormalizePhone returns phone as the digits of a Korean mobile number
// (01X then 7 or 8 digits), accepting hyphens, spaces, dots, brackets and a
// +82 or 82 prefix. Anything else is ErrNoRecipient (and
// apperr.ErrInvalid): no SMS can reach it.
func NormalizePhone(phone string) (string, error) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(phone) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-' || r == ' ' || r == '.' || r == '(' || r == ')':
		case r == '+' && i == 0:
		default:
			return "", badPhone()
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "820"): // +82 (0)10 ...
		d = d[2:]
	case strings.HasPrefix(d, "82") && len(d) >= 11:
		d = "0" + d[2:]
	}
	if len(d) < 10 || len(d) > 11 || !strings.HasPrefix(d, "01") || !strings.ContainsRune("016789", rune(d[2])) {
		return "", badPhone()
	}
	if d[2] == '0' && len(d) != 11 { // 010 numbers all have 11 digits
		return "", badPhone()
	}
	return d, nil
}

// badPhone is the error of a number no SMS can reach; it names no digits,
// which are personal data.
func badPhone() error {
	return fmt.Errorf("%w: %w: not a Korean mobile number", ErrNoRecipient, apperr.ErrInvalid)
}

// eucKRLen is the length of s in EUC-KR bytes; a character EUC-KR cannot
// carry (emoji and the like, which the provider refuses) is
// apperr.ErrInvalid.
func eucKRLen(what, s string) (int, error) {
	enc, err := korean.EUCKR.NewEncoder().String(s)
	if err != nil {
		return 0, fmt.Errorf("%w: sms: the %s has a character EUC-KR cannot carry", apperr.ErrInvalid, what)
	}
	return len(enc), nil
}

func optional(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}
