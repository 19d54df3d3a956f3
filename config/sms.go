package config

import (
	"fmt"
	"net/url"
	"strings"
)

// SMSProviderNHNCloud names NHN Cloud Notification SMS (API v3.0), the one
// SMS provider Bosang speaks to (BOSANG_SMS_PROVIDER=nhncloud).
const SMSProviderNHNCloud = "nhncloud"

// SMS is the SMS provider that announces offers to affected accounts
// (BOSANG_SMS_*, issue 14). The zero SMS (BOSANG_SMS_PROVIDER unset)
// sends no SMS.
type SMS struct {
	// Provider is BOSANG_SMS_PROVIDER: SMSProviderNHNCloud, or empty.
	Provider string
	// APIKey is the provider's app key (BOSANG_SMS_API_KEY); NHN Cloud
	// puts it in the request path, so it is never logged either.
	APIKey string
	// APISecret is the provider's secret key (BOSANG_SMS_API_SECRET).
	APISecret string
	// Sender is the registered sender number, digits only
	// (BOSANG_SMS_SENDER; hyphens and spaces are dropped).
	Sender string
	// URL overrides the provider's production address (BOSANG_SMS_URL);
	// empty uses the production one.
	URL string
}

// Enabled reports whether offers are announced by SMS.
func (s SMS) Enabled() bool { return s.Provider != "" }

// String describes s without its key and secret, so that printing an SMS
// with %v cannot leak them.
func (s SMS) String() string {
	if !s.Enabled() {
		return "off"
	}
	u := s.URL
	if u == "" {
		u = "production URL"
	}
	return fmt.Sprintf("%s sender %s (%s)", s.Provider, s.Sender, u)
}

// GoString is String, for %#v.
func (s SMS) GoString() string { return s.String() }

// smsVars are the variables of SMS in the order errors name them.
var smsVars = []string{"BOSANG_SMS_PROVIDER", "BOSANG_SMS_API_KEY", "BOSANG_SMS_API_SECRET", "BOSANG_SMS_SENDER", "BOSANG_SMS_URL"}

// loadSMS reads BOSANG_SMS_*: the provider with its key, secret and sender
// number, or none of the variables. An error names the variable and never
// echoes the key or the secret.
func loadSMS(getenv func(string) string) (SMS, error) {
	v := map[string]string{}
	for _, name := range smsVars {
		v[name] = strings.TrimSpace(getenv(name))
	}
	s := SMS{Provider: v["BOSANG_SMS_PROVIDER"], APIKey: v["BOSANG_SMS_API_KEY"], APISecret: v["BOSANG_SMS_API_SECRET"], URL: v["BOSANG_SMS_URL"]}
	const all = "set BOSANG_SMS_PROVIDER, BOSANG_SMS_API_KEY, BOSANG_SMS_API_SECRET and BOSANG_SMS_SENDER together, or none of them to send no SMS"
	if s.Provider == "" {
		for _, name := range smsVars[1:] {
			if v[name] != "" {
				return SMS{}, fmt.Errorf("%s is set but BOSANG_SMS_PROVIDER is not: %s", name, all)
			}
		}
		return SMS{}, nil
	}
	if s.Provider != SMSProviderNHNCloud {
		return SMS{}, fmt.Errorf("BOSANG_SMS_PROVIDER must be %q (NHN Cloud Notification SMS) or empty, got %q", SMSProviderNHNCloud, s.Provider)
	}
	for _, name := range smsVars[1:4] {
		if v[name] == "" {
			return SMS{}, fmt.Errorf("BOSANG_SMS_PROVIDER is set but %s is not: %s", name, all)
		}
	}
	if strings.ContainsAny(s.APIKey, "/?#% ") {
		return SMS{}, fmt.Errorf("BOSANG_SMS_API_KEY must be the app key as the console shows it (no '/', '?', '#', '%%' or spaces)")
	}
	sender := strings.NewReplacer("-", "", " ", "").Replace(v["BOSANG_SMS_SENDER"])
	if len(sender) < 8 || len(sender) > 13 || strings.Trim(sender, "0123456789") != "" {
		return SMS{}, fmt.Errorf("BOSANG_SMS_SENDER must be the registered sender number, 8 to 13 digits (hyphens allowed), got %q", v["BOSANG_SMS_SENDER"])
	}
	s.Sender = sender
	if s.URL != "" {
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return SMS{}, fmt.Errorf("BOSANG_SMS_URL must be an http(s) address such as https://sms.api.nhncloudservice.com, without credentials or query, got %q", redactURL(s.URL))
		}
		s.URL = strings.TrimRight(s.URL, "/")
	}
	return s, nil
}
