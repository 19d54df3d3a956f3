package statute

import "time"

// Overdue lists, interruption first, the notices v requires whose due time is
// strictly before now and that sent does not record. A notice is overdue
// until it is recorded; once recorded it is never overdue, even if it went
// out late (see Late). A notice with no due time yet (compensation while the
// outage is open) cannot be overdue.
func Overdue(v Verdict, sent map[NoticeKind]time.Time, now time.Time) []NoticeKind {
	var out []NoticeKind
	for _, d := range dues(v) {
		if _, ok := sent[d.kind]; !ok && d.at.Before(now) {
			out = append(out, d.kind)
		}
	}
	return out
}

type due struct {
	kind NoticeKind
	at   time.Time
}

// dues lists the notices v requires that already have a due time.
func dues(v Verdict) []due {
	var out []due
	if v.InterruptionRequired && v.InterruptionNoticeDueAt != nil {
		out = append(out, due{NoticeInterruption, *v.InterruptionNoticeDueAt})
	}
	if v.CompensationRequired && v.CompensationNoticeDueAt != nil {
		out = append(out, due{NoticeCompensation, *v.CompensationNoticeDueAt})
	}
	return out
}
