package handlers

import (
	"strconv"

	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/offers"
)

// ledgerView is what the "offer-ledger" template renders: the offer track
// of an outage or of all outages, for staff.
type ledgerView struct {
	L    *i18n.Localizer
	Made int64
	Rate string
	Rows []ledgerRow
	Days []ledgerDay
}

type ledgerRow struct {
	Key, Label string
	Count, Won int64
}

type ledgerDay struct {
	Day      string
	Answered int64
	Rate     string
}

func percent(r float64) string { return strconv.FormatFloat(r*100, 'f', 1, 64) + "%" }

// ledgerOf shows led in l's language; nil when there is no ledger.
func ledgerOf(l *i18n.Localizer, led *offers.Ledger) *ledgerView {
	if led == nil {
		return nil
	}
	v := &ledgerView{L: l, Made: led.Made, Rate: percent(led.TakeUpRate)}
	for _, st := range offers.Statuses {
		k := string(st)
		v.Rows = append(v.Rows, ledgerRow{Key: k, Label: l.T("offer.status." + k), Count: led.ByStatus[k], Won: led.WonByStatus[k]})
	}
	for _, d := range led.TakeUp {
		v.Days = append(v.Days, ledgerDay{Day: d.Day, Answered: d.Answered, Rate: percent(d.Rate)})
	}
	return v
}
