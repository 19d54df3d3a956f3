package claims

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/estimate"
	"github.com/bosang/bosang/input"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/pii"
)

// Profile kinds (API.md /me/profiles/{kind}).
const (
	ProfileMerchant        = "merchant"
	ProfileDriver          = "driver"
	ProfilePaidSubscriber  = "paid_subscriber"
	ProfilePartnerBusiness = "partner_business"
)

// MerchantProfile is a shop: its registration number and opening hours.
type MerchantProfile struct {
	BusinessNumber    string              `json:"business_number"`
	BusinessName      string              `json:"business_name"`
	BusinessType      string              `json:"business_type"`
	OpeningHours      map[string][]string `json:"opening_hours"`
	SmallBusinessCert bool                `json:"small_business_certificate"`
}

// DriverProfile is a taxi or designated driver and their platform membership.
type DriverProfile struct {
	DriverKind    string     `json:"driver_kind"`
	VehicleNumber string     `json:"vehicle_number"`
	Membership    Membership `json:"membership"`
	// LicenceNumber is accepted on input, stored sealed, and shown masked.
	LicenceNumber string `json:"licence_number,omitempty"`
}

// Membership is a paid platform membership.
type Membership struct {
	Name          string `json:"name"`
	MonthlyFeeKRW int64  `json:"monthly_fee_krw"`
}

// SubscriberProfile is a paid subscription to a service.
type SubscriberProfile struct {
	ServiceID     string `json:"service_id"`
	MonthlyFeeKRW int64  `json:"monthly_fee_krw"`
}

// PartnerProfile is a business built on the platform.
type PartnerProfile struct {
	Company       string `json:"company"`
	ServiceID     string `json:"service_id"`
	MonthlyFeeKRW int64  `json:"monthly_fee_krw"`
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

var (
	hhmm          = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$|^24:00$`)
	vehiclePlate  = regexp.MustCompile(`^[0-9가-힣 ]{4,12}$`)
	licenceNumber = regexp.MustCompile(`^\d{2}-?\d{2}-?\d{6}-?\d{2}$`)
)

// PutProfile validates and stores one profile kind for user from its JSON
// document. An unknown kind is ErrNotFound; bad fields a ValidationError.
func (s *Service) PutProfile(ctx context.Context, user *models.User, kind string, raw json.RawMessage) (map[string]any, error) {
	if user.Role != models.RoleClaimant {
		return nil, fmt.Errorf("profiles belong to claimants: %w", apperr.ErrForbidden)
	}
	p := &models.Profile{UserID: user.ID, Kind: kind, UpdatedAt: s.now().UTC()}
	var doc any
	var err error
	switch kind {
	case ProfileMerchant:
		doc, err = merchantDoc(raw, p)
	case ProfileDriver:
		doc, err = s.driverDoc(raw, p)
	case ProfilePaidSubscriber:
		doc, err = s.subscriberDoc(ctx, raw)
	case ProfilePartnerBusiness:
		doc, err = s.partnerDoc(ctx, raw)
	default:
		return nil, fmt.Errorf("profile kind %q: %w", kind, apperr.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	data, _ := json.Marshal(doc)
	p.Data = string(data)
	if p.Secret == "" {
		if err := s.keepSecret(ctx, p); err != nil {
			return nil, err
		}
	}
	if err := s.store.PutProfile(ctx, p); err != nil {
		return nil, err
	}
	return s.Profiles(ctx, user)
}

func decodeStrict(raw json.RawMessage, dst any) error {
	if err := json.Unmarshal(raw, dst); err != nil {
		return apperr.InvalidMsg("body", apperr.M("claims.profile_malformed"))
	}
	return nil
}

func merchantDoc(raw json.RawMessage, p *models.Profile) (any, error) {
	var m MerchantProfile
	if err := decodeStrict(raw, &m); err != nil {
		return nil, err
	}
	var f apperr.Fields
	if !pii.ValidBusinessNumber(m.BusinessNumber) {
		f.AddMsg("business_number", apperr.M("claims.business_number_invalid"))
	}
	input.Line(&f, "business_name", m.BusinessName, 0)
	input.Line(&f, "business_type", m.BusinessType, 0)
	if n := len([]rune(strings.TrimSpace(m.BusinessName))); n < 1 || n > 100 {
		f.AddMsg("business_name", apperr.M("claims.business_name_missing"))
	}
	if len([]rune(m.BusinessType)) > 100 {
		f.AddMsg("business_type", apperr.M("claims.business_type_length"))
	}
	if _, err := Schedule(m.OpeningHours); err != nil {
		// Said in words: the profile page shows it next to the hour inputs.
		f.AddMsg("opening_hours", apperr.M("claims.opening_hours_format"))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	m.BusinessNumber = pii.FormatBusinessNumber(m.BusinessNumber)
	p.BusinessNumber = &m.BusinessNumber
	return m, nil
}

// Schedule turns opening hours into the estimator's weekly schedule.
func Schedule(hours map[string][]string) (estimate.Schedule, error) {
	s := estimate.Schedule{}
	for day, span := range hours {
		wd, ok := weekdays[day]
		if !ok || len(span) != 2 || !hhmm.MatchString(span[0]) || !hhmm.MatchString(span[1]) {
			return nil, fmt.Errorf("opening hours for %q: %w", day, apperr.ErrInvalid)
		}
		s[wd] = append(s[wd], estimate.Span{Open: minutes(span[0]), Close: minutes(span[1]) % estimate.MinutesPerDay})
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

func minutes(hm string) int {
	var h, m int
	fmt.Sscanf(hm, "%d:%d", &h, &m)
	return h*60 + m
}

func (s *Service) driverDoc(raw json.RawMessage, p *models.Profile) (any, error) {
	var d DriverProfile
	if err := decodeStrict(raw, &d); err != nil {
		return nil, err
	}
	var f apperr.Fields
	if d.DriverKind != "taxi" && d.DriverKind != "designated" {
		f.AddMsg("driver_kind", apperr.M("claims.driver_kind_missing"))
	}
	if (d.DriverKind == "taxi" || d.VehicleNumber != "") && !vehiclePlate.MatchString(d.VehicleNumber) {
		f.AddMsg("vehicle_number", apperr.M("claims.vehicle_number_format"))
	}
	input.Line(&f, "membership.name", d.Membership.Name, maxProfileName)
	if d.Membership.MonthlyFeeKRW < 0 || d.Membership.MonthlyFeeKRW > 10_000_000 {
		f.AddMsg("membership.monthly_fee_krw", apperr.M("claims.membership_fee_range"))
	}
	if d.LicenceNumber != "" && !licenceNumber.MatchString(d.LicenceNumber) {
		f.AddMsg("licence_number", apperr.M("claims.licence_number_format"))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if d.LicenceNumber != "" {
		p.Secret, p.SecretKeyID = s.sealer.Seal(d.LicenceNumber, "licence:"+p.UserID)
		d.LicenceNumber = ""
	}
	return d, nil
}

func (s *Service) subscriberDoc(ctx context.Context, raw json.RawMessage) (any, error) {
	var sp SubscriberProfile
	if err := decodeStrict(raw, &sp); err != nil {
		return nil, err
	}
	var f apperr.Fields
	svc, err := s.catalogService(ctx, sp.ServiceID)
	switch {
	case err != nil:
		return nil, err
	case svc == nil || !svc.Paid:
		f.AddMsg("service_id", apperr.M("claims.paid_service_missing"))
	default:
		sp.ServiceID = svc.Code
	}
	if sp.MonthlyFeeKRW <= 0 || sp.MonthlyFeeKRW > 10_000_000 {
		f.AddMsg("monthly_fee_krw", apperr.M("claims.monthly_fee_missing"))
	}
	return sp, f.Err()
}

func (s *Service) partnerDoc(ctx context.Context, raw json.RawMessage) (any, error) {
	var pp PartnerProfile
	if err := decodeStrict(raw, &pp); err != nil {
		return nil, err
	}
	var f apperr.Fields
	input.Line(&f, "company", pp.Company, 0)
	if n := len([]rune(strings.TrimSpace(pp.Company))); n < 1 || n > 100 {
		f.AddMsg("company", apperr.M("claims.company_missing"))
	}
	svc, err := s.catalogService(ctx, pp.ServiceID)
	switch {
	case err != nil:
		return nil, err
	case svc == nil:
		f.AddMsg("service_id", apperr.M("claims.partner_service_missing"))
	default:
		pp.ServiceID = svc.Code
	}
	if pp.MonthlyFeeKRW < 0 {
		f.AddMsg("monthly_fee_krw", apperr.M("claims.monthly_fee_negative"))
	}
	return pp, f.Err()
}

// maxProfileName bounds the names a profile holds (business, company,
// membership), in characters.
const maxProfileName = 100

// catalogService finds a service of the catalogue by its code or id; nil
// when there is none. The profile forms offer the codes.
func (s *Service) catalogService(ctx context.Context, ref string) (*models.Service, error) {
	if ref == "" || !input.Clean(ref, false) {
		return nil, nil
	}
	catalog, err := s.outages.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	for i := range catalog {
		if svc := &catalog[i].Service; svc.Code == ref || svc.ID == ref {
			return svc, nil
		}
	}
	return nil, nil
}

// Profiles returns the user's profiles by kind, with sealed identifiers only
// as a masked marker.
func (s *Service) Profiles(ctx context.Context, user *models.User) (map[string]any, error) {
	list, err := s.store.Profiles(ctx, user.ID)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, p := range list {
		var doc map[string]any
		if err := json.Unmarshal([]byte(p.Data), &doc); err != nil {
			return nil, fmt.Errorf("profile %s of %s: %w", p.Kind, p.UserID, err)
		}
		if p.Secret != "" {
			doc["licence_number"] = "**-**-******-**"
		}
		out[p.Kind] = doc
	}
	return out, nil
}

func (s *Service) profileMap(ctx context.Context, userID string) (map[string]json.RawMessage, error) {
	list, err := s.store.Profiles(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := map[string]json.RawMessage{}
	for _, p := range list {
		out[p.Kind] = json.RawMessage(p.Data)
	}
	return out, nil
}

// keepSecret carries a sealed identifier over when a profile is saved
// without re-entering it, so editing a profile never erases the licence.
func (s *Service) keepSecret(ctx context.Context, p *models.Profile) error {
	list, err := s.store.Profiles(ctx, p.UserID)
	if err != nil {
		return err
	}
	for _, old := range list {
		if old.Kind == p.Kind {
			p.Secret, p.SecretKeyID = old.Secret, old.SecretKeyID
		}
	}
	return nil
}
