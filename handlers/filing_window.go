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

// claimWindowOf says whether claims for o may still be filed under the
// policy that governs it (chosen by o's start) at the server's now. Without
// a governing policy the window is taken as open and nothing is said.
func (s *server) claimWindowOf(l *i18n.Localizer, policies []policy.Policy, o *outage.View, query url.Values) claimWindow {
	q := url.Values{"outage": {o.ID}}
	for k, vals := range query {
		q[k] = vals
	}
	w := claimWindow{URL: "/claims/new?" + q.Encode()}
	p, err := policy.Select(policies, o.StartedAt)
	if err != nil {
		return w
	}
	_, closes, openEnded := policy.FilingWindow(p, o.StartedAt, o.EndedAt)
	switch {
	case openEnded:
	case policy.Late(p, o.StartedAt, o.EndedAt, s.now()):
		w = claimWindow{Closed: true, Text: l.T("claims.window.closed", map[string]any{"Date": closes.In(kst).Format("2006-01-02")})}
	default:
		w.Text = l.T("claims.new.window_open", map[string]any{"At": kstText(closes)})
	}
	return w
}
