package notify

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/bosang/bosang/models"
)

// Recipients finds the e-mail address of a user (a claimant, or an account's
// owner).
type Recipients func(ctx context.Context, userID string) (email, name string, err error)

// SMTPSender e-mails claimants about their claims through go-mail: MIME
// headers encoded for Korean subjects, STARTTLS whenever the server offers
// it, and a send bounded by the caller's context.
type SMTPSender struct {
	host       string
	port       int
	from       string
	user, pass string
	recipients Recipients
	baseURL    string
	timeout    time.Duration
	// OpenReset reads password reset messages; without it they fail.
	OpenReset ResetOpener
	// OpenSubscription reads outage subscription messages; without it they fail.
	OpenSubscription SubscriptionOpener
	// Staff finds the addresses of the staff an alert goes to (overdue
	// notice alerts); without it those alerts fail with ErrNoRecipient.
	Staff StaffRecipients
}

// smtpTimeout bounds each SMTP step when the caller's context sets no
// earlier deadline, so a stalled server cannot hold a job's worker.
const smtpTimeout = 30 * time.Second

// NewSMTPSender parses smtp://user:pass@host:port?from=addr (port 587 when
// omitted; no user means no authentication).
func NewSMTPSender(rawURL, baseURL string, recipients Recipients) (*SMTPSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
		return nil, fmt.Errorf("BOSANG_SMTP_URL must look like smtp://user:pass@host:587?from=bosang@example.kr")
	}
	s := &SMTPSender{host: u.Hostname(), port: 587, from: u.Query().Get("from"), recipients: recipients, baseURL: baseURL, timeout: smtpTimeout}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil || s.port < 1 || s.port > 65535 {
			return nil, fmt.Errorf("BOSANG_SMTP_URL: port %q is not a port number", p)
		}
	}
	if s.from == "" {
		return nil, fmt.Errorf("BOSANG_SMTP_URL needs ?from=")
	}
	if err := mail.NewMsg().From(s.from); err != nil {
		return nil, fmt.Errorf("BOSANG_SMTP_URL: from=%q is not an address: %w", s.from, err)
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	return s, nil
}

// Send e-mails the claimant named in the payload of a claims.TopicStatus,
// claims.TopicEstimate or claims.TopicSupplementReminder message what
// StatusText says (the new status, and the amount decided or paid; the
// changed estimate; or the supplement's due time), and the owner named in
// an auth.TopicSignupExisting message what AccountText says; an
// outage.TopicNoticeOverdue alert goes, as one mail, to every enabled
// operator and admin account that Staff finds (none is ErrNoRecipient).
// The Message-ID is derived from the dedupe id so that mail clients fold a
// repeat into the original.
func (s *SMTPSender) Send(ctx context.Context, m models.OutboxMessage) error {
	text, err := compose(ctx, m, s.baseURL, s.OpenReset, s.OpenSubscription)
	if err != nil {
		return err
	}
	to, err := s.addresses(ctx, text)
	if err != nil {
		return err
	}
	return s.mail(ctx, to, text.subject, text.body, m.DedupeID, text.about)
}

// SendText e-mails subject and body (plain text) to the address to, with
// a Message-ID derived from dedupeID; an address go-mail refuses is
// ErrNoRecipient.
func (s *SMTPSender) SendText(ctx context.Context, to, subject, body, dedupeID string) error {
	return s.mail(ctx, []string{to}, subject, body, dedupeID, dedupeID)
}

// mail sends one plain-text letter; about names it in errors.
func (s *SMTPSender) mail(ctx context.Context, to []string, subject, body, dedupeID, about string) error {
	msg := mail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return err
	}
	if err := msg.To(to...); err != nil {
		return fmt.Errorf("%w: %d address(es): %v", ErrNoRecipient, len(to), err)
	}
	msg.Subject(subject)
	msg.SetMessageIDWithValue(dedupeID + "@bosang")
	msg.SetDate()
	msg.SetBodyString(mail.TypeTextPlain, body)
	// go-mail bounds only the dial by ctx; closing the connection when ctx
	// ends bounds the whole conversation (a server that accepts and then
	// stalls would otherwise hold the job's worker for the timeout).
	stop := func() bool { return false }
	dial := func(dialCtx context.Context, network, addr string) (net.Conn, error) {
		conn, err := new(net.Dialer).DialContext(dialCtx, network, addr)
		if err == nil { // ctx, not dialCtx: go-mail cancels dialCtx once connected
			stop = context.AfterFunc(ctx, func() { conn.Close() })
		}
		return conn, err
	}
	opts := []mail.Option{mail.WithPort(s.port), mail.WithTLSPolicy(mail.TLSOpportunistic), mail.WithTimeout(s.timeout),
		mail.WithDialContextFunc(dial)}
	if s.user != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(s.user), mail.WithPassword(s.pass))
	}
	c, err := mail.NewClient(s.host, opts...)
	if err != nil {
		return err
	}
	err = c.DialAndSendWithContext(ctx, msg)
	stop()
	if err != nil {
		return fmt.Errorf("send mail about %s: %w", about, err)
	}
	return nil
}

// addresses are where a letter goes: its address, the staff in its roles,
// or its user's address. Finding none is ErrNoRecipient; a failed lookup
// of the staff is returned as it is.
func (s *SMTPSender) addresses(ctx context.Context, text letter) ([]string, error) {
	switch {
	case text.address != "":
		return []string{text.address}, nil
	case len(text.staff) > 0:
		if s.Staff == nil {
			return nil, fmt.Errorf("%w: no way to find the staff for %s", ErrNoRecipient, text.about)
		}
		to, err := s.Staff(ctx, text.staff...)
		if err != nil { // the lookup failed, not the recipients: retry
			return nil, fmt.Errorf("find the staff for %s: %w", text.about, err)
		}
		if len(to) == 0 {
			return nil, fmt.Errorf("%w: no enabled %v account for %s", ErrNoRecipient, text.staff, text.about)
		}
		return to, nil
	}
	to, _, err := s.recipients(ctx, text.to)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoRecipient, err)
	}
	return []string{to}, nil
}
