package statute

import "fmt"

// Cause is why service was interrupted. Its values are the wire strings.
type Cause string

// The causes. Which of them count as "unforeseen" is regime data
// (Regime.UnforeseenCauses), not a property of the cause.
const (
	CauseOverload             Cause = "overload"
	CauseEquipmentFault       Cause = "equipment_fault"
	CauseError                Cause = "error"
	CauseFire                 Cause = "fire"
	CauseDisaster             Cause = "disaster"
	CauseCarrierLine          Cause = "carrier_line"
	CauseAnnouncedMaintenance Cause = "announced_maintenance"
	CauseOther                Cause = "other"
)

var causes = []Cause{
	CauseOverload, CauseEquipmentFault, CauseError, CauseFire,
	CauseDisaster, CauseCarrierLine, CauseAnnouncedMaintenance, CauseOther,
}

// ParseCause returns the Cause named s (exact, case-sensitive match), or an
// error wrapping ErrInvalid for any other string, including "".
func ParseCause(s string) (Cause, error) { return parseEnum("cause", s, causes) }

// String returns the wire name of c.
func (c Cause) String() string { return string(c) }

// UnmarshalText parses text with ParseCause, so decoding rejects unknown values.
func (c *Cause) UnmarshalText(text []byte) error { return unmarshalEnum(c, text, ParseCause) }

// ProviderKind tells a value-added service provider from a carrier; the two
// have different thresholds and only VAS providers get some exemptions.
type ProviderKind string

// The provider kinds.
const (
	ProviderValueAdded ProviderKind = "value_added"
	ProviderCarrier    ProviderKind = "carrier"
)

var providerKinds = []ProviderKind{ProviderValueAdded, ProviderCarrier}

// ParseProviderKind returns the ProviderKind named s, or an error wrapping
// ErrInvalid for any other string.
func ParseProviderKind(s string) (ProviderKind, error) {
	return parseEnum("provider kind", s, providerKinds)
}

// String returns the wire name of k.
func (k ProviderKind) String() string { return string(k) }

// UnmarshalText parses text with ParseProviderKind.
func (k *ProviderKind) UnmarshalText(text []byte) error {
	return unmarshalEnum(k, text, ParseProviderKind)
}

// Exemption names the ground on which a notice is not owed. The constants are
// listed in precedence order (see the package doc).
type Exemption string

// The exemptions, in precedence order.
const (
	ExemptAnnouncedMaintenance Exemption = "announced_maintenance"
	ExemptCarrierLine          Exemption = "carrier_line"
	ExemptBelowSizeBar         Exemption = "provider_below_size_bar"
	ExemptFreeService          Exemption = "free_service"
	ExemptShortUnforeseen      Exemption = "short_unforeseen"
)

// precedence is the order in which exemptions are checked; the first that
// applies is reported.
var precedence = []Exemption{
	ExemptAnnouncedMaintenance, ExemptCarrierLine, ExemptBelowSizeBar,
	ExemptFreeService, ExemptShortUnforeseen,
}

// ParseExemption returns the Exemption named s, or an error wrapping
// ErrInvalid for any other string.
func ParseExemption(s string) (Exemption, error) { return parseEnum("exemption", s, precedence) }

// String returns the wire name of e.
func (e Exemption) String() string { return string(e) }

// UnmarshalText parses text with ParseExemption.
func (e *Exemption) UnmarshalText(text []byte) error {
	return unmarshalEnum(e, text, ParseExemption)
}

// NoticeKind is one of the two notices the decree requires.
type NoticeKind string

// The notice kinds.
const (
	NoticeInterruption NoticeKind = "interruption"
	NoticeCompensation NoticeKind = "compensation"
)

var noticeKinds = []NoticeKind{NoticeInterruption, NoticeCompensation}

// ParseNoticeKind returns the NoticeKind named s, or an error wrapping
// ErrInvalid for any other string.
func ParseNoticeKind(s string) (NoticeKind, error) { return parseEnum("notice kind", s, noticeKinds) }

// String returns the wire name of k.
func (k NoticeKind) String() string { return string(k) }

// UnmarshalText parses text with ParseNoticeKind.
func (k *NoticeKind) UnmarshalText(text []byte) error {
	return unmarshalEnum(k, text, ParseNoticeKind)
}

func parseEnum[T ~string](what, s string, known []T) (T, error) {
	for _, k := range known {
		if string(k) == s {
			return k, nil
		}
	}
	var zero T
	return zero, fmt.Errorf("parse %s %q: %w", what, s, ErrInvalid)
}

func unmarshalEnum[T ~string](dst *T, text []byte, parse func(string) (T, error)) error {
	v, err := parse(string(text))
	if err != nil {
		return err
	}
	*dst = v
	return nil
}
