package records

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/bosang/bosang/apperr"
)

const accountHeaderEN = "account_ref,category,name,phone,email,monthly_fee_krw,business_number,settlement,bank,account_number,holder\n"

// readAll collects what ReadAccounts hands over.
func readAll(t *testing.T, in string, lim Limits) ([]Account, []*LineError, error) {
	t.Helper()
	var good []Account
	var bad []*LineError
	err := ReadAccounts(strings.NewReader(in), lim, func(a Account, le *LineError) error {
		if le != nil {
			bad = append(bad, le)
			return nil
		}
		good = append(good, a)
		return nil
	})
	return good, bad, err
}

func TestReadAccountsRows(t *testing.T) {
	for _, tc := range []struct {
		name, row string
		col       int    // 0: the row is accepted
		msg       string // part of the message
	}{
		{"a complete bank row", "A1,driver,김기사,010-1234-5678,a@b.kr,\"39,000\",120-81-47521,bank,KB국민은행,123456-01-234567,김기사", 0, ""},
		{"phone only", "A1,free_user,,01012345678,,,,,,,", 0, ""},
		{"email only", "A1,free_user,,,a@b.kr,,,,,,", 0, ""},
		{"fee exactly 10,000,000", "A1,paid_subscriber,,01012345678,,10000000,,,,,", 0, ""},
		{"fee 0", "A1,paid_subscriber,,01012345678,,0,,,,,", 0, ""},
		{"fee 10,000,001 is too much", "A1,paid_subscriber,,01012345678,,10000001,,,,,", 6, "10,000,000"},
		{"negative fee", "A1,paid_subscriber,,01012345678,,-1,,,,,", 6, "10,000,000"},
		{"fractional fee", "A1,paid_subscriber,,01012345678,,1.5,,,,,", 6, "whole won"},
		{"no account_ref", ",free_user,,01012345678,,,,,,,", 1, "account_ref"},
		{"unknown category", "A1,vip,,01012345678,,,,,,,", 2, "category"},
		{"neither phone nor email", "A1,free_user,홍길동,,,,,,,,", 4, "phone number or an e-mail"},
		{"8 digits is not a phone", "A1,free_user,,01012345,,,,,,,", 4, "not a phone"},
		{"12 digits is not a phone", "A1,free_user,,010123456789,,,,,,,", 4, "not a phone"},
		{"+82 is a phone", "A1,free_user,,+82 10 1234 5678,,,,,,,", 0, ""},
		{"letters in a phone", "A1,free_user,,010-CALL-ME,,,,,,,", 4, "not a phone"},
		{"email without a domain dot", "A1,free_user,,,a@b,,,,,,", 5, "e-mail"},
		{"business number with a wrong check digit", "A1,merchant,,01012345678,,,120-81-47522,,,,", 7, "business"},
		{"bill credit", "A1,paid_subscriber,,01012345678,,9900,,bill_credit,,,", 0, ""},
		{"Korean settlement 요금감면", "A1,paid_subscriber,,01012345678,,9900,,요금감면,,,", 0, ""},
		{"unknown settlement", "A1,paid_subscriber,,01012345678,,9900,,cheque,,,", 8, "settlement"},
		{"account number of 7 digits", "A1,driver,,01012345678,,,,bank,KB,1234567,김", 10, "8 to 16"},
		{"account number without a bank", "A1,driver,,01012345678,,,,bank,,12345678,김", 9, "bank"},
		{"account number without a holder", "A1,driver,,01012345678,,,,bank,KB,12345678,", 11, "holder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			good, bad, err := readAll(t, accountHeaderEN+tc.row+"\n", Limits{})
			if err != nil {
				t.Fatalf("ReadAccounts: %v", err)
			}
			if tc.col == 0 {
				if len(bad) > 0 || len(good) != 1 {
					t.Fatalf("got %d rows, errors %v; want the row accepted", len(good), bad)
				}
				return
			}
			if len(bad) != 1 {
				t.Fatalf("got %d errors (%d good), want 1", len(bad), len(good))
			}
			if bad[0].Line != 2 || bad[0].Column != tc.col || !strings.Contains(bad[0].MessageEN, tc.msg) {
				t.Fatalf("got line %d column %d %q, want line 2 column %d containing %q", bad[0].Line, bad[0].Column, bad[0].MessageEN, tc.col, tc.msg)
			}
			if bad[0].MessageKO == "" {
				t.Fatal("no Korean message")
			}
		})
	}
}

func TestReadAccountsKoreanHeadersAndCP949(t *testing.T) {
	in := "계정번호,구분,이름,휴대폰,이메일,멤버십 요금,정산 방식\nK-1,기사,김기사,010-1111-2222,,\"39,000\",계좌이체\nK-2,무료 회원,이용자,,u@ex.kr,,\n"
	for name, body := range map[string]string{"UTF-8": in, "UTF-8 with BOM": "\xef\xbb\xbf" + in, "CP949": cp949(t, in)} {
		t.Run(name, func(t *testing.T) {
			good, bad, err := readAll(t, body, Limits{})
			if err != nil || len(bad) > 0 || len(good) != 2 {
				t.Fatalf("got %v, %v, %v", good, bad, err)
			}
			want := Account{Line: 2, Ref: "K-1", Category: "driver", Name: "김기사", Phone: "010-1111-2222", MonthlyFeeKRW: 39000, Settlement: SettlementBank}
			want.h = good[0].h
			if good[0] != want {
				t.Fatalf("got %+v, want %+v", good[0], want)
			}
			if good[1].Category != "free_user" || good[1].Email != "u@ex.kr" || good[1].Line != 3 {
				t.Fatalf("second row %+v", good[1])
			}
		})
	}
}

func TestReadAccountsHeader(t *testing.T) {
	for _, tc := range []struct{ name, in, missing string }{
		{"no account_ref", "category,phone\nfree_user,01012345678\n", "account_ref"},
		{"no category", "account_ref,phone\nA,01012345678\n", "category"},
		{"neither phone nor email", "account_ref,category,name\nA,free_user,x\n", "phone or email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readAll(t, tc.in, Limits{})
			assertLineError(t, err, 1, 0, firstField(tc.missing), tc.missing)
		})
	}
	t.Run("empty file", func(t *testing.T) {
		if _, _, err := readAll(t, "", Limits{}); !errors.Is(err, ErrEmpty) {
			t.Fatalf("got %v, want ErrEmpty", err)
		}
	})
	t.Run("header only is no error", func(t *testing.T) {
		if good, bad, err := readAll(t, accountHeaderEN, Limits{}); err != nil || len(good)+len(bad) != 0 {
			t.Fatalf("got %v %v %v", good, bad, err)
		}
	})
}

func firstField(missing string) string {
	if missing == "phone or email" {
		return "phone"
	}
	return missing
}

func TestReadAccountsRowLimit(t *testing.T) {
	rows := accountHeaderEN + strings.Repeat("A,free_user,,01012345678,,,,,,,\n", 3)
	t.Run("exactly MaxRows", func(t *testing.T) {
		if _, _, err := readAll(t, rows, Limits{MaxRows: 3}); err != nil {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("MaxRows+1 is too large", func(t *testing.T) {
		if _, _, err := readAll(t, rows, Limits{MaxRows: 2}); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("got %v, want ErrTooLarge", err)
		}
	})
	t.Run("fn's error stops the read", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := ReadAccounts(strings.NewReader(rows), Limits{}, func(Account, *LineError) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Fatalf("got %v after %d rows", err, n)
		}
	})
}

func TestReadAccountsXLSX(t *testing.T) {
	f := excelize.NewFile()
	for i, row := range [][]any{{"회원번호", "구분", "전화번호", "월 이용료"}, {"X1", "유료회원", "010-2222-3333", 9900}, {"X2", "nope", "010-2222-3333", 1}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	good, bad, err := readAll(t, buf.String(), Limits{})
	if err != nil || len(good) != 1 || len(bad) != 1 {
		t.Fatalf("got %v %v %v", good, bad, err)
	}
	if le := good[0].FailMsg("monthly_fee_krw", apperr.M("records.fee_range")); le.Line != 2 || le.Column != 4 || le.Field != "월 이용료" {
		t.Fatalf("FailMsg: got %+v, want line 2 column 4", le)
	}
	if good[0].MonthlyFeeKRW != 9900 || good[0].Category != "paid_subscriber" || bad[0].Line != 3 || bad[0].Column != 2 {
		t.Fatalf("got %+v and %+v", good[0], bad[0])
	}
}

// accountFile generates n rows of CSV without holding them.
type accountFile struct {
	n, i int
	buf  []byte
}

func (g *accountFile) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.i <= g.n {
		if g.i == 0 {
			g.buf = append(g.buf, accountHeaderEN...)
		} else {
			g.buf = fmt.Appendf(g.buf, "ACC-%07d,paid_subscriber,이용자,010-%04d-%04d,,9900,,bill_credit,,,\n", g.i, g.i/10000, g.i%10000)
		}
		g.i++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

func TestReadAccountsStreamsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 200,000 rows")
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n := 0
	err := ReadAccounts(&accountFile{n: 200_000}, Limits{}, func(a Account, bad *LineError) error {
		if bad != nil {
			return bad
		}
		n++
		return nil
	})
	runtime.GC()
	runtime.ReadMemStats(&after)
	if err != nil || n != 200_000 {
		t.Fatalf("got %d rows, %v", n, err)
	}
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 8<<20 {
		t.Fatalf("the heap grew by %d bytes over 200,000 rows; want it flat", grew)
	}
}

// FuzzReadAccounts: any input ends in rows handed over in line order,
// each good or with a LineError on its own line, or in an error of the
// file; never a panic.
func FuzzReadAccounts(f *testing.F) {
	for _, s := range []string{"", accountHeaderEN, accountHeaderEN + "A1,driver,김,010-1234-5678,a@b.kr,\"39,000\",120-81-47521,bank,KB,12345678,김\n",
		"계정번호,구분,휴대폰\nA,기사,010\n", "PK\x03\x04", "account_ref,category,email\n,,\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		last := 0
		err := ReadAccounts(bytes.NewReader(data), fuzzLimits, func(a Account, bad *LineError) error {
			if a.Line <= last {
				t.Fatalf("line %d after line %d", a.Line, last)
			}
			last = a.Line
			if bad != nil && bad.Line != a.Line {
				t.Fatalf("the error of line %d names line %d", a.Line, bad.Line)
			}
			if bad == nil && (a.Ref == "" || a.Phone == "" && a.Email == "" || a.Settlement == "") {
				t.Fatalf("accepted an incomplete row: %+v", a)
			}
			return nil
		})
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("an error outside ErrInvalid: %v", err)
		}
	})
}
