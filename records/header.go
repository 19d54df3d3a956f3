package records

import (
	"strings"

	"github.com/bosang/bosang/apperr"
)

// role is what a column means to the parser.
type role int

const (
	roleTime   role = iota // full date and time
	roleDate               // date only, paired with roleClock
	roleClock              // time of day only, paired with roleDate
	roleAmount             // sale amount
	roleStart              // trip start
	roleEnd                // trip end
	roleFare               // trip fare
	roleCount
)

var (
	roleNames = [roleCount]string{"time", "date", "clock", "amount", "start", "end", "fare"}
)

// synonyms lists accepted header names per role, compared after normalize.
// A lone date or clock column is read as a full date and time.
var synonyms = [roleCount][]string{
	roleTime:   {"일시", "거래일시", "판매일시", "결제일시", "승인일시", "datetime", "timestamp"},
	roleDate:   {"날짜", "일자", "거래일자", "판매일자", "date"},
	roleClock:  {"시간", "시각", "거래시간", "판매시간", "time"},
	roleAmount: {"금액", "매출", "매출액", "결제금액", "판매금액", "승인금액", "거래금액", "amount", "sales"},
	roleStart:  {"시작", "시작시각", "시작시간", "출발", "출발시각", "출발시간", "승차시각", "start", "started_at", "start_time"},
	roleEnd:    {"종료", "종료시각", "종료시간", "도착", "도착시각", "도착시간", "하차시각", "end", "ended_at", "end_time"},
	roleFare:   {"요금", "운임", "금액", "운행요금", "결제금액", "fare", "amount"},
}

// kind is the record type being parsed.
type kind int

const (
	kindSales kind = iota
	kindTrips
)

func (k kind) roles() []role {
	if k == kindSales {
		return []role{roleTime, roleDate, roleClock, roleAmount}
	}
	return []role{roleStart, roleEnd, roleFare}
}

// normalize lower-cases a header and drops spaces, "_", "-", "." and any
// unit suffix in brackets, so "결제금액(원)" and "Started At" match.
func normalize(h string) string {
	h = trimCell(h)
	if i := strings.IndexAny(h, "([（"); i > 0 {
		h = h[:i]
	}
	h = strings.ToLower(h)
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '_', '-', '.', '\u00a0', '\u3000', '\ufeff':
			return -1
		}
		return r
	}, h)
}

var synonymIndex = func() map[string][]role {
	m := map[string][]role{}
	for r, names := range synonyms {
		for _, n := range names {
			k := normalize(n)
			m[k] = append(m[k], role(r))
		}
	}
	return m
}()

// header is a resolved header row: the column index per role (-1 when
// absent) and the header texts for error messages.
type header struct {
	line  int
	col   [roleCount]int
	names []string
}

// resolveHeader maps rec to roles for k; the leftmost matching column wins.
// It returns the roles still missing (empty when the header is usable).
func resolveHeader(rec []string, line int, k kind) (*header, []role) {
	h := &header{line: line, names: append([]string(nil), rec...)}
	for i := range h.col {
		h.col[i] = -1
	}
	wanted := map[role]bool{}
	for _, r := range k.roles() {
		wanted[r] = true
	}
	for i, cell := range rec {
		for _, r := range synonymIndex[normalize(cell)] {
			if wanted[r] && h.col[r] < 0 {
				h.col[r] = i
			}
		}
	}
	var missing []role
	if k == kindSales {
		if h.col[roleTime] < 0 {
			switch {
			case h.col[roleDate] >= 0 && h.col[roleClock] >= 0:
				// date + clock pair
			case h.col[roleDate] >= 0:
				h.col[roleTime], h.col[roleDate] = h.col[roleDate], -1
			case h.col[roleClock] >= 0:
				h.col[roleTime], h.col[roleClock] = h.col[roleClock], -1
			default:
				missing = append(missing, roleTime)
			}
		} else {
			h.col[roleDate], h.col[roleClock] = -1, -1
		}
		if h.col[roleAmount] < 0 {
			missing = append(missing, roleAmount)
		}
		return h, missing
	}
	for _, r := range k.roles() {
		if h.col[r] < 0 {
			missing = append(missing, r)
		}
	}
	return h, missing
}

// missingError names a missing column and the header names it accepts.
func missingError(line int, r role) *LineError {
	accepted := synonyms[r]
	if r == roleTime {
		accepted = append(append(append([]string(nil), accepted...), synonyms[roleDate]...), synonyms[roleClock]...)
	}
	list := strings.Join(accepted, ", ")
	return newLineError(line, 0, roleNames[r], apperr.M("records.column_missing",
		map[string]any{"column": apperr.M("records.column." + roleNames[r]), "accepted": list}))
}
