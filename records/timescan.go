package records

import "strings"

// civil is a wall-clock date and time before it meets a location.
type civil struct {
	y, mo, d, h, mi, s, ns int
}

// scanner reads the date and time layouts Korean spreadsheets and POS
// systems export, without allocating.
type scanner struct {
	s string
	i int
}

func (p *scanner) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *scanner) done() bool {
	p.skipSpace()
	return p.i == len(p.s)
}

func (p *scanner) skipSpace() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

// num reads between lo and hi ASCII digits.
func (p *scanner) num(lo, hi int) (int, bool) {
	v, n := 0, 0
	for p.i < len(p.s) && n < hi {
		c := p.s[p.i]
		if c < '0' || c > '9' {
			break
		}
		v = v*10 + int(c-'0')
		p.i++
		n++
	}
	return v, n >= lo
}

func (p *scanner) sep() (byte, bool) {
	p.skipSpace()
	c := p.peek()
	if c != '-' && c != '/' && c != '.' {
		return 0, false
	}
	p.i++
	p.skipSpace()
	return c, true
}

// date reads "2022-10-15", "2022/10/15", "2022.10.15" or "2022. 10. 15.";
// the two separators must match.
func (p *scanner) date(c *civil) bool {
	var ok bool
	if c.y, ok = p.num(4, 4); !ok {
		return false
	}
	s1, ok := p.sep()
	if !ok {
		return false
	}
	if c.mo, ok = p.num(1, 2); !ok {
		return false
	}
	if s2, ok := p.sep(); !ok || s2 != s1 {
		return false
	}
	if c.d, ok = p.num(1, 2); !ok {
		return false
	}
	if s1 == '.' && p.peek() == '.' {
		p.i++
	}
	return true
}

// clock reads "15:30", "15:30:05", "15:30:05.123", optionally with 오전/오후
// or AM/PM before or after.
func (p *scanner) clock(c *civil) bool {
	p.skipSpace()
	mer := p.meridiem()
	p.skipSpace()
	var ok bool
	if c.h, ok = p.num(1, 2); !ok || p.peek() != ':' {
		return false
	}
	p.i++
	if c.mi, ok = p.num(2, 2); !ok {
		return false
	}
	if p.peek() == ':' {
		p.i++
		if c.s, ok = p.num(2, 2); !ok {
			return false
		}
		if p.peek() == '.' {
			p.i++
			start := p.i
			frac, ok := p.num(1, 9)
			if !ok {
				return false
			}
			for n := p.i - start; n < 9; n++ {
				frac *= 10
			}
			c.ns = frac
		}
	}
	if mer == 0 {
		p.skipSpace()
		mer = p.meridiem()
	}
	switch {
	case mer == 0:
		return true
	case c.h > 12:
		return false
	case mer == 'p' && c.h < 12:
		c.h += 12
	case mer == 'a' && c.h == 12:
		c.h = 0
	}
	return true
}

// meridiem consumes 오전/AM ('a') or 오후/PM ('p'), or returns 0.
func (p *scanner) meridiem() byte {
	rest := p.s[p.i:]
	for _, m := range []struct {
		text string
		kind byte
	}{{"오전", 'a'}, {"오후", 'p'}, {"AM", 'a'}, {"PM", 'p'}, {"am", 'a'}, {"pm", 'p'}} {
		if strings.HasPrefix(rest, m.text) {
			p.i += len(m.text)
			return m.kind
		}
	}
	return 0
}
