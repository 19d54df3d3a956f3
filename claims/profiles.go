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
		return apperr.Invalid("body", "프로필 형식이 올바르지 않습니다.", "The profile is not valid JSON of the expected shape.")
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
		f.Add("business_number", "사업자등록번호가 올바르지 않습니다(검증 번호 불일치).", "The business registration number is invalid (check digit mismatch).")
	}
	input.Line(&f, "business_name", m.BusinessName, 0)
	input.Line(&f, "business_type", m.BusinessType, 0)
	if n := len([]rune(strings.TrimSpace(m.BusinessName))); n < 1 || n > 100 {
		f.Add("business_name", "상호를 입력하세요.", "Enter the business name.")
	}
	if len([]rune(m.BusinessType)) > 100 {
		f.Add("business_type", "업종은 100자 이내입니다.", "The business type is at most 100 characters.")
	}
	if _, err := Schedule(m.OpeningHours); err != nil {
		// Said in words: the profile page shows it next to the hour inputs.
		f.Add("opening_hours", "영업시간은 요일마다 여는 시각과 닫는 시각(예: 09:00~21:00)으로 입력하세요.",
			"Give each weekday's opening and closing time, e.g. 09:00 to 21:00.")
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
		f.Add("driver_kind", "택시 또는 대리운전을 고르세요.", "Choose taxi or designated.")
	}
	if (d.DriverKind == "taxi" || d.VehicleNumber != "") && !vehiclePlate.MatchString(d.VehicleNumber) {
		f.Add("vehicle_number", "차량 번호를 입력하세요. 예: 12가 3456", "Enter the vehicle number, e.g. 12가 3456.")
	}
	input.Line(&f, "membership.name", d.Membership.Name, maxProfileName)
	if d.Membership.MonthlyFeeKRW < 0 || d.Membership.MonthlyFeeKRW > 10_000_000 {
		f.Add("membership.monthly_fee_krw", "월 이용료는 0원 이상 1천만 원 이하입니다.", "The monthly fee must be ₩0 to ₩10,000,000.")
	}
	if d.LicenceNumber != "" && !licenceNumber.MatchString(d.LicenceNumber) {
		f.Add("licence_number", "운전면허 번호 형식이 올바르지 않습니다. 예: 11-22-333333-44", "Invalid licence number, e.g. 11-22-333333-44.")
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
		f.Add("service_id", "이용 중인 유료 서비스를 목록에서 고르세요.", "Choose the paid service you subscribe to from the list.")
	default:
		sp.ServiceID = svc.Code
	}
	if sp.MonthlyFeeKRW <= 0 || sp.MonthlyFeeKRW > 10_000_000 {
		f.Add("monthly_fee_krw", "월 이용료를 입력하세요.", "Enter the monthly fee.")
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
		f.Add("company", "회사 이름을 입력하세요.", "Enter the company name.")
	}
	svc, err := s.catalogService(ctx, pp.ServiceID)
	switch {
	case err != nil:
		return nil, err
	case svc == nil:
		f.Add("service_id", "연동한 서비스를 목록에서 고르세요.", "Choose the service you built on from the list.")
	default:
		pp.ServiceID = svc.Code
	}
	if pp.MonthlyFeeKRW < 0 {
		f.Add("monthly_fee_krw", "월 이용료는 0원 이상입니다.", "The monthly fee cannot be negative.")
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
