package offers

import (
	"context"
	"math"
)

// LedgerGroup is the offers of one status with their amounts in won.
type LedgerGroup struct {
	Status    Status
	Offers    int64
	AmountKRW int64
}

// TakeUpDay is how many offers were answered by accepting or contesting on
// one day (YYYY-MM-DD, Korea time).
type TakeUpDay struct {
	Day      string
	Answered int64
}

// Ledger is the offer track of an outage, or of every outage (API.md
// GET /stats "offers"): offers made, by status with the won in each, and
// the take-up rate, (accepted + contested + paid) / offers that waited for
// an answer (all but granted), overall and as it grew day by day.
type Ledger struct {
	Made        int64            `json:"made"`
	ByStatus    map[string]int64 `json:"by_status"`
	WonByStatus map[string]int64 `json:"won_by_status"`
	// Answerable are the offers that asked for an answer (not granted).
	Answerable int64   `json:"answerable"`
	TakenUp    int64   `json:"taken_up"`
	TakeUpRate float64 `json:"take_up_rate"`
	// TakeUp is the cumulative rate at the end of each day an offer was
	// accepted or contested, oldest first.
	TakeUp []TakeUpPoint `json:"take_up"`
}

// TakeUpPoint is the take-up at the end of one day.
type TakeUpPoint struct {
	Day      string  `json:"day"`
	Answered int64   `json:"answered"`
	TakenUp  int64   `json:"taken_up"`
	Rate     float64 `json:"rate"`
}

// Ledger computes the ledger of outageID ("" for every outage). The store
// aggregates; no offer is loaded to count it.
func (s *Service) Ledger(ctx context.Context, outageID string) (*Ledger, error) {
	return ComputeLedger(ctx, s.store, outageID)
}

// LedgerStore is what ComputeLedger reads: the two aggregates of Store.
type LedgerStore interface {
	Ledger(ctx context.Context, outageID string) ([]LedgerGroup, error)
	TakeUp(ctx context.Context, outageID string) ([]TakeUpDay, error)
}

// ComputeLedger computes the ledger from st, so that package stats can
// include it in its figures without an offers.Service.
func ComputeLedger(ctx context.Context, st LedgerStore, outageID string) (*Ledger, error) {
	l := &Ledger{ByStatus: map[string]int64{}, WonByStatus: map[string]int64{}, TakeUp: []TakeUpPoint{}}
	for _, st := range Statuses {
		l.ByStatus[string(st)], l.WonByStatus[string(st)] = 0, 0
	}
	groups, err := st.Ledger(ctx, outageID)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		l.Made += g.Offers
		l.ByStatus[string(g.Status)] += g.Offers
		l.WonByStatus[string(g.Status)] += g.AmountKRW
		if g.Status != Granted {
			l.Answerable += g.Offers
		}
		if g.Status == Accepted || g.Status == Contested || g.Status == Paid {
			l.TakenUp += g.Offers
		}
	}
	l.TakeUpRate = rate(l.TakenUp, l.Answerable)
	days, err := st.TakeUp(ctx, outageID)
	if err != nil {
		return nil, err
	}
	var sum int64
	for _, d := range days {
		sum += d.Answered
		l.TakeUp = append(l.TakeUp, TakeUpPoint{Day: d.Day, Answered: d.Answered, TakenUp: sum, Rate: rate(sum, l.Answerable)})
	}
	return l, nil
}

// rate is n/of rounded to 4 places, 0 when of is 0.
func rate(n, of int64) float64 {
	if of == 0 {
		return 0
	}
	return math.Round(float64(n)/float64(of)*10000) / 10000
}
