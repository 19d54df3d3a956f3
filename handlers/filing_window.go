package handlers

import (
	"net/url"

	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/policy"
)

// claimWindow is what a page says about filing claims for one outage,
// before anyone fills a form.
type claimWindow struct {
	// Closed is true once the filing window of the governing policy has
	// passed; the outage can then no longer be claimed for.
	Closed bool
	// Text is "청구 기간 종료 (2022-11-14)" when closed, "청구 기한: …까지"
	// while a window with an end is open, and "" for an ongoing outage.
	Text string
	// URL starts a claim for the outage (empty when closed).
	URL string
}

// claimWindowOf puts outage.FilingOf at the server's now in words. Without
// a governing policy the window is taken as open and nothing is said.
func (s *server) claimWindowOf(l *i18n.Localizer, policies []policy.Policy, o *outage.View, query url.Values) claimWindow {
	q := url.Values{"outage": {o.ID}}
	for k, vals := range query {
		q[k] = vals
	}
	w := claimWindow{URL: "/claims/new?" + q.Encode()}
	f := outage.FilingOf(policies, o, s.now())
	switch {
	case !f.Governed, f.OpenEnded:
	case f.Closed:
		w = claimWindow{Closed: true, Text: l.T("claims.window.closed", map[string]any{"Date": f.Closes.In(kst).Format("2006-01-02")})}
	default:
		w.Text = l.T("claims.new.window_open", map[string]any{"At": kstText(f.Closes)})
	}
	return w
}
