package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/korean"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/notify"
)

// The fake's credentials; the tests check no error ever shows them.
const (
	nhnAppKey = "Tst4ppK3yNotShown"
	nhnSecret = "Tst53cr3tNotShown"
	nhnSendNo = "15446859"
)

// nhnSend is one request the fake accepted.
type nhnSend struct {
	Kind string // "sms" or "mms"
	Req  nhnRequest
}

// nhnRequest holds the documented fields of the two send endpoints that
// Bosang may use; the fake decodes strictly, so anything else is refused.
type nhnRequest struct {
	Title         *string `json:"title"`
	Body          string  `json:"body"`
	SendNo        string  `json:"sendNo"`
	RecipientList []struct {
		RecipientNo string `json:"recipientNo"`
	} `json:"recipientList"`
}

// fakeNHN serves POST /sms/v3.0/appKeys/{appKey}/sender/{sms,mms} as NHN
// Cloud's API v3.0 guide describes it, answering the guide's result codes.
// It is stricter than the real service on one point: the real one stores
// an SMS body of up to 255 characters and the handset shows the first 90
// bytes, cutting the rest silently; the fake refuses such a body (-2015),
// so that a cut would fail the test.
type fakeNHN struct {
	*httptest.Server
	mu   sync.Mutex
	sent []nhnSend
	// fail, when set, answers instead of the documented success.
	fail func(w http.ResponseWriter, s nhnSend)
}

func newFakeNHN(t *testing.T) *fakeNHN {
	f := &fakeNHN{}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func nhnHeader(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	fmt.Fprintf(w, `{"header":{"isSuccessful":%t,"resultCode":%d,"resultMessage":%q}}`, code == 0, code, msg)
}

func eucKR(s string) (int, bool) {
	b, err := korean.EUCKR.NewEncoder().String(s)
	return len(b), err == nil
}

func (f *fakeNHN) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/sms/v3.0/appKeys/")
	key, kind, _ := strings.Cut(rest, "/sender/")
	if r.Method != http.MethodPost || !ok || (kind != "sms" && kind != "mms") {
		nhnHeader(w, -9998, "Not exist API.")
		return
	}
	// The guide lists no code of its own for a wrong secret key; the fake
	// answers as for a wrong app key.
	if key != nhnAppKey || r.Header.Get("X-Secret-Key") != nhnSecret {
		nhnHeader(w, -1000, "Invalid appKey.")
		return
	}
	if mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" ||
		(params["charset"] != "" && !strings.EqualFold(params["charset"], "UTF-8")) {
		nhnHeader(w, -9996, "Only application/json Content-type is supported.")
		return
	}
	var req nhnRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || (kind == "sms" && req.Title != nil) {
		nhnHeader(w, -9997, "Invalid API parameters.")
		return
	}
	title := ""
	if req.Title != nil {
		title = *req.Title
	}
	bodyLen, bodyOK := eucKR(req.Body)
	titleLen, titleOK := eucKR(title)
	switch {
	case req.SendNo != nhnSendNo:
		nhnHeader(w, -2312, "Not regist sendno.")
	case len(req.RecipientList) == 0:
		nhnHeader(w, -2001, "RecipientList can not be null.")
	case len(req.RecipientList) > 1000:
		nhnHeader(w, -2016, "The max recipient size is 1000.")
	case req.Body == "" || (kind == "mms" && title == ""):
		nhnHeader(w, -2014, "The recipient can not be empty.")
	case !bodyOK || !titleOK:
		nhnHeader(w, -2023, "Unacceptable characters in title and body.")
	case kind == "sms" && bodyLen > 90, kind == "mms" && (bodyLen > 2000 || titleLen > 40):
		nhnHeader(w, -2015, "Title or Body exceed maximum byte.")
	default:
		for _, rc := range req.RecipientList {
			if rc.RecipientNo == "" {
				nhnHeader(w, -2018, "RecipientNo can not be empty.")
				return
			}
		}
		s := nhnSend{Kind: kind, Req: req}
		f.mu.Lock()
		fail := f.fail
		f.mu.Unlock()
		if fail != nil {
			fail(w, s)
			return
		}
		f.mu.Lock()
		f.sent = append(f.sent, s)
		f.mu.Unlock()
		results := make([]string, len(req.RecipientList))
		for i, rc := range req.RecipientList {
			results[i] = fmt.Sprintf(`{"recipientNo":%q,"resultCode":0,"resultMessage":"SUCCESS","recipientSeq":%d,"recipientGroupingKey":null}`, rc.RecipientNo, i+1)
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		fmt.Fprintf(w, `{"header":{"isSuccessful":true,"resultCode":0,"resultMessage":"SUCCESS"},"body":{"data":{"requestId":"20180810100630ReZQ6KZzAH0","statusCode":"2","senderGroupingKey":null,"sendResultList":[%s]}}}`, strings.Join(results, ","))
	}
}

func (f *fakeNHN) sends() []nhnSend {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]nhnSend(nil), f.sent...)
}

func newSMSSender(t *testing.T, base, secret string) *notify.SMSSender {
	t.Helper()
	s, err := notify.NewSMSSender(notify.SMSConfig{BaseURL: base, AppKey: nhnAppKey, SecretKey: secret, SendNo: nhnSendNo})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkNoSecrets fails when err shows the app key or the secret key.
func checkNoSecrets(t *testing.T, err error) {
	t.Helper()
	if err != nil && (strings.Contains(err.Error(), nhnAppKey) || strings.Contains(err.Error(), nhnSecret)) {
		t.Errorf("error %q shows the app key or the secret key", err)
	}
}

// TestSMSSenderSMSOrLMSAt90EUCKRBytes pins the boundary between SMS and
// LMS at 90 EUC-KR bytes (2 a Hangul syllable) and the end of LMS at
// 2,000: each case goes to the documented endpoint with the documented
// fields, or fails without a request.
func TestSMSSenderSMSOrLMSAt90EUCKRBytes(t *testing.T) {
	const title = "보상 안내"
	tests := []struct {
		name, text string
		wantKind   string // "" when the send must fail with apperr.ErrInvalid
	}{
		{"90 ASCII bytes is an SMS", strings.Repeat("a", 90), "sms"},
		{"91 ASCII bytes is an LMS", strings.Repeat("a", 91), "mms"},
		{"45 Hangul (90 bytes) is an SMS", strings.Repeat("가", 45), "sms"},
		{"46 Hangul (92 bytes) is an LMS", strings.Repeat("가", 46), "mms"},
		{"89 ASCII and 1 Hangul (91 bytes) is an LMS", strings.Repeat("a", 89) + "원", "mms"},
		{"2,000 bytes is an LMS", strings.Repeat("가", 1000), "mms"},
		{"2,001 bytes is refused", strings.Repeat("가", 1000) + "a", ""},
		{"an emoji is refused", "보상금 7,550원 🎉", ""},
		{"an empty text is refused", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeNHN(t)
			err := newSMSSender(t, f.URL, nhnSecret).SendSMS(context.Background(), "010-1234-5678", title, tt.text)
			got := f.sends()
			if tt.wantKind == "" {
				if !errors.Is(err, apperr.ErrInvalid) || notify.SMSRetryable(err) {
					t.Errorf("err = %v, want a permanent apperr.ErrInvalid", err)
				}
				if len(got) != 0 {
					t.Errorf("a request was sent: %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("%d requests, want 1", len(got))
			}
			s := got[0]
			if s.Kind != tt.wantKind || s.Req.Body != tt.text || s.Req.SendNo != nhnSendNo ||
				len(s.Req.RecipientList) != 1 || s.Req.RecipientList[0].RecipientNo != "01012345678" {
				t.Errorf("sent %s %+v", s.Kind, s.Req)
			}
			if (s.Req.Title != nil) != (tt.wantKind == "mms") || (s.Req.Title != nil && *s.Req.Title != title) {
				t.Errorf("title %v for a %s", s.Req.Title, s.Kind)
			}
		})
	}
	t.Run("an LMS without title is refused", func(t *testing.T) {
		f := newFakeNHN(t)
		err := newSMSSender(t, f.URL, nhnSecret).SendSMS(context.Background(), "01012345678", "", strings.Repeat("a", 91))
		if !errors.Is(err, apperr.ErrInvalid) || len(f.sends()) != 0 {
			t.Errorf("err = %v after %d requests, want apperr.ErrInvalid and none", err, len(f.sends()))
		}
	})
}

// TestSMSSenderPhoneNumbers: the written forms of a Korean mobile number
// are sent as its digits; anything else is a permanent ErrNoRecipient and
// sends nothing.
func TestSMSSenderPhoneNumbers(t *testing.T) {
	valid := map[string]string{
		"01012345678": "01012345678", "010-1234-5678": "01012345678", " 010 1234 5678 ": "01012345678",
		"(010) 1234.5678": "01012345678", "+82 10-1234-5678": "01012345678", "821012345678": "01012345678",
		"+82 (0)10 1234 5678": "01012345678", "011-123-4567": "0111234567", "019-1234-5678": "01912345678",
	}
	for in, want := range valid {
		t.Run("valid "+in, func(t *testing.T) {
			f := newFakeNHN(t)
			if err := newSMSSender(t, f.URL, nhnSecret).SendSMS(context.Background(), in, "", "hello"); err != nil {
				t.Fatal(err)
			}
			if got := f.sends(); len(got) != 1 || got[0].Req.RecipientList[0].RecipientNo != want {
				t.Errorf("sent %+v, want recipient %s", got, want)
			}
		})
	}
	for _, in := range []string{"", "010-1234-567", "010-1234-56789", "02-123-4567", "1544-6859", "012-3456-7890",
		"010-1234-567x", "010/1234/5678", "+1 202 555 0100", "8210123456789"} {
		t.Run("invalid "+in, func(t *testing.T) {
			f := newFakeNHN(t)
			err := newSMSSender(t, f.URL, nhnSecret).SendSMS(context.Background(), in, "", "hello")
			if !errors.Is(err, notify.ErrNoRecipient) || !errors.Is(err, apperr.ErrInvalid) || notify.SMSRetryable(err) {
				t.Errorf("err = %v, want a permanent ErrNoRecipient", err)
			}
			if in != "" && strings.Contains(fmt.Sprint(err), in) {
				t.Errorf("error %q shows the number", err)
			}
			if n := len(f.sends()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

// TestSMSSenderProviderAnswers: only the documented success (isSuccessful,
// code 0, the recipient's code 0) is a send; every failure carries the
// provider's message, and only HTTP 429/5xx, an unreadable answer and the
// system error codes -9999 and -2021 are retryable.
func TestSMSSenderProviderAnswers(t *testing.T) {
	jsonAnswer := func(status int, body string) func(http.ResponseWriter, nhnSend) {
		return func(w http.ResponseWriter, _ nhnSend) {
			w.Header().Set("Content-Type", "application/json;charset=UTF-8")
			w.WriteHeader(status)
			fmt.Fprint(w, body)
		}
	}
	withRecipient := func(code int, msg string) string {
		return fmt.Sprintf(`{"header":{"isSuccessful":true,"resultCode":0,"resultMessage":"SUCCESS"},"body":{"data":{"requestId":"r1","statusCode":"2","sendResultList":[{"recipientNo":"01012345678","resultCode":%d,"resultMessage":%q,"recipientSeq":1}]}}}`, code, msg)
	}
	tests := []struct {
		name      string
		answer    func(http.ResponseWriter, nhnSend)
		wantMsg   string
		retryable bool
	}{
		{"unregistered sender number -2312", func(w http.ResponseWriter, _ nhnSend) { nhnHeader(w, -2312, "Not regist sendno.") }, "Not regist sendno.", false},
		{"recipient refused -6001", jsonAnswer(200, withRecipient(-6001, "Recipient Number is refused.")), "Recipient Number is refused.", false},
		{"recipient number invalid -2019", jsonAnswer(200, withRecipient(-2019, "RecipientNo is invalid.")), "RecipientNo is invalid.", false},
		{"system error -9999", func(w http.ResponseWriter, _ nhnSend) { nhnHeader(w, -9999, "System error.") }, "System error.", true},
		{"queue failure -2021", func(w http.ResponseWriter, _ nhnSend) { nhnHeader(w, -2021, "System error. Failed insert queue.") }, "Failed insert queue", true},
		{"HTTP 500", jsonAnswer(500, `{"header":{"isSuccessful":false,"resultCode":-9999,"resultMessage":"System error."}}`), "HTTP 500: System error.", true},
		{"HTTP 503 without body", jsonAnswer(503, ``), "HTTP 503", true},
		{"HTTP 429", jsonAnswer(429, ``), "HTTP 429", true},
		{"HTTP 400", jsonAnswer(400, `{"header":{"isSuccessful":false,"resultCode":-9997,"resultMessage":"Invalid API parameters."}}`), "Invalid API parameters.", false},
		{"200 with HTML", jsonAnswer(200, `<html>gateway</html>`), "not the documented JSON", true},
		{"success without the recipient", jsonAnswer(200, strings.Replace(withRecipient(0, "SUCCESS"), "01012345678", "01099999999", 1)), "no result for the recipient", false},
		{"request failed statusCode 3", jsonAnswer(200, strings.Replace(withRecipient(0, "SUCCESS"), `"statusCode":"2"`, `"statusCode":"3"`, 1)), "statusCode 3", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeNHN(t)
			f.fail = tt.answer
			err := newSMSSender(t, f.URL, nhnSecret).SendSMS(context.Background(), "010-1234-5678", "", "보상금 7,550원")
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantMsg)
			}
			var se *notify.SMSError
			if !errors.As(err, &se) {
				t.Errorf("err %T is not an *SMSError", err)
			}
			if notify.SMSRetryable(err) != tt.retryable || errors.Is(err, notify.ErrSMSRejected) == tt.retryable {
				t.Errorf("retryable = %v, rejected = %v, want retryable %v", notify.SMSRetryable(err), errors.Is(err, notify.ErrSMSRejected), tt.retryable)
			}
			checkNoSecrets(t, err)
		})
	}
	t.Run("a wrong secret key is refused", func(t *testing.T) {
		f := newFakeNHN(t)
		err := newSMSSender(t, f.URL, "wrong").SendSMS(context.Background(), "01012345678", "", "hello")
		if !errors.Is(err, notify.ErrSMSRejected) || !strings.Contains(err.Error(), "Invalid appKey.") || len(f.sends()) != 0 {
			t.Errorf("err = %v after %d accepted sends", err, len(f.sends()))
		}
	})
}

// TestSMSSenderHonoursTheDeadline: a provider that does not answer holds
// the send only until the caller's deadline; the failure is retryable and
// does not show the URL's app key.
func TestSMSSenderHonoursTheDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := newSMSSender(t, srv.URL, nhnSecret).SendSMS(ctx, "01012345678", "", "hello")
	if !errors.Is(err, context.DeadlineExceeded) || !notify.SMSRetryable(err) {
		t.Errorf("err = %v, want a retryable context.DeadlineExceeded", err)
	}
	checkNoSecrets(t, err)
}
