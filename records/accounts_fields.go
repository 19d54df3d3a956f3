package records

import (
	"strings"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/pii"
)

// accountField is a column of an affected-account file.
type accountField int

const (
	acRef accountField = iota
	acCategory
	acName
	acPhone
	acEmail
	acFee
	acBusiness
	acSettlement
	acBank
	acAccount
	acHolder
	acCount
)

var (
	accountFieldNames = [acCount]string{"account_ref", "category", "name", "phone", "email", "monthly_fee_krw",
		"business_number", "settlement", "bank", "account_number", "holder"}
	// accountSynonyms lists the accepted headers per column, compared after
	// normalize.
	accountSynonyms = [acCount][]string{
		acRef:        {"account_ref", "계정번호", "회원번호", "계정", "고객번호", "account", "account_id", "member_id"},
		acCategory:   {"category", "구분", "유형", "회원구분"},
		acName:       {"name", "이름", "성명", "고객명", "상호"},
		acPhone:      {"phone", "전화번호", "휴대폰", "휴대폰번호", "휴대전화", "연락처", "mobile"},
		acEmail:      {"email", "e-mail", "이메일", "전자우편"},
		acFee:        {"monthly_fee_krw", "membership_fee_krw", "월 이용료", "월이용료", "멤버십 요금", "멤버십요금", "monthly_fee", "membership_fee"},
		acBusiness:   {"business_number", "사업자등록번호", "사업자번호"},
		acSettlement: {"settlement", "정산 방식", "정산방식", "정산"},
		acBank:       {"bank", "은행", "은행명"},
		acAccount:    {"account_number", "계좌번호", "계좌"},
		acHolder:     {"holder", "예금주", "account_holder"},
	}
	accountHeaderIndex = func() map[string]accountField {
		m := map[string]accountField{}
		for f, names := range accountSynonyms {
			for _, n := range names {
				m[normalize(n)] = accountField(f)
			}
		}
		return m
	}()
	// categoryNames maps a category cell, normalized, to its API name.
	categoryNames = func() map[string]string {
		m := map[string]string{}
		for api, names := range map[string][]string{
			"free_user":        {"free_user", "무료", "무료이용자", "무료회원", "일반회원", "일반"},
			"paid_subscriber":  {"paid_subscriber", "유료", "유료구독자", "유료회원", "구독자"},
			"merchant":         {"merchant", "가맹점", "소상공인", "판매자"},
			"driver":           {"driver", "기사", "운전자", "택시기사", "대리기사"},
			"partner_business": {"partner_business", "제휴사", "파트너", "협력사"},
		} {
			for _, n := range names {
				m[normalize(n)] = api
			}
		}
		return m
	}()
	settlementNames = map[string]string{
		"bank": SettlementBank, "계좌이체": SettlementBank, "계좌": SettlementBank, "현금": SettlementBank,
		"billcredit": SettlementBillCredit, "요금감면": SettlementBillCredit, "요금차감": SettlementBillCredit, "청구할인": SettlementBillCredit,
	}
)

// accountHeader is a resolved header: the column per field (-1 if absent).
type accountHeader struct {
	line  int
	col   [acCount]int
	names []string
}

func resolveAccountHeader(rec []string, line int) *accountHeader {
	h := &accountHeader{line: line, names: append([]string(nil), rec...)}
	for i := range h.col {
		h.col[i] = -1
	}
	for i, cell := range rec {
		if f, ok := accountHeaderIndex[normalize(cell)]; ok && h.col[f] < 0 {
			h.col[f] = i
		}
	}
	return h
}

// missing lists the required columns the header lacks; acPhone stands for
// "phone or email".
func (h *accountHeader) missing() []accountField {
	var out []accountField
	for _, f := range []accountField{acRef, acCategory} {
		if h.col[f] < 0 {
			out = append(out, f)
		}
	}
	if h.col[acPhone] < 0 && h.col[acEmail] < 0 {
		out = append(out, acPhone)
	}
	return out
}

// accountRow is one data record being read.
type accountRow struct {
	h    *accountHeader
	line int
	rec  []string
	xlsx bool
}

func (c *accountRow) cell(f accountField) string {
	if i := c.h.col[f]; i >= 0 && i < len(c.rec) {
		return trimCell(c.rec[i])
	}
	return ""
}

// fail is a problem with field's cell; a missing column is reported at the
// whole line.
func (c *accountRow) fail(f accountField, m apperr.Message) *LineError {
	i := c.h.col[f]
	if i < 0 {
		return newLineError(c.line, 0, accountFieldNames[f], m)
	}
	return newLineError(c.line, i+1, trimCell(c.h.names[i]), m)
}

// failValue is fail with the cell's value echoed after the problem.
func (c *accountRow) failValue(f accountField, m apperr.Message) *LineError {
	return c.fail(f, withValue(m, c.cell(f)))
}

// read converts and checks the row, returning its first problem.
func (c *accountRow) read(maxField int) (Account, *LineError) {
	a := Account{h: c.h, Line: c.line, Ref: c.cell(acRef), Name: c.cell(acName), Phone: c.cell(acPhone), Email: c.cell(acEmail),
		BusinessNumber: c.cell(acBusiness), Bank: c.cell(acBank), AccountNumber: c.cell(acAccount), Holder: c.cell(acHolder)}
	for f := range acCount {
		if len(c.cell(f)) > maxField {
			return a, c.fail(f, apperr.M("records.value_too_long", map[string]any{"max": maxField}))
		}
	}
	if a.Ref == "" {
		return a, c.fail(acRef, apperr.M("records.account_ref_empty"))
	}
	var ok bool
	if a.Category, ok = categoryNames[normalize(c.cell(acCategory))]; !ok {
		return a, c.failValue(acCategory, apperr.M("records.category_unknown"))
	}
	if le := c.contact(&a); le != nil {
		return a, le
	}
	if raw := c.cell(acFee); raw != "" {
		fee, p := parseAmount(raw, c.xlsx)
		if p != nil || fee < 0 || fee > MaxAccountFeeKRW {
			return a, c.failValue(acFee, apperr.M("records.fee_range"))
		}
		a.MonthlyFeeKRW = fee
	}
	if a.BusinessNumber != "" && !pii.ValidBusinessNumber(a.BusinessNumber) {
		return a, c.failValue(acBusiness, apperr.M("records.business_number"))
	}
	return a, c.payout(&a)
}

// contact checks that the row names a phone or an e-mail address and that
// what it names is well formed.
func (c *accountRow) contact(a *Account) *LineError {
	if a.Phone == "" && a.Email == "" {
		f := acPhone
		if c.h.col[acPhone] < 0 {
			f = acEmail
		}
		return c.fail(f, apperr.M("records.contact_missing"))
	}
	if a.Phone != "" && !validPhone(a.Phone) {
		return c.failValue(acPhone, apperr.M("records.not_phone"))
	}
	if a.Email != "" && !validEmail(a.Email) {
		return c.failValue(acEmail, apperr.M("records.not_email"))
	}
	return nil
}

// payout checks the settlement and, where an account number is given, the
// bank account (a bank settlement needs none at import: the person gives
// one when accepting).
func (c *accountRow) payout(a *Account) *LineError {
	raw := c.cell(acSettlement)
	switch s, ok := settlementNames[normalize(raw)]; {
	case raw == "":
		a.Settlement = SettlementBank
	case ok:
		a.Settlement = s
	default:
		return c.failValue(acSettlement, apperr.M("records.settlement"))
	}
	if a.AccountNumber == "" {
		return nil
	}
	switch {
	case !pii.ValidAccount(a.AccountNumber):
		return c.fail(acAccount, apperr.M("records.account_number"))
	case a.Bank == "":
		return c.fail(acBank, apperr.M("records.bank_missing"))
	case a.Holder == "":
		return c.fail(acHolder, apperr.M("records.holder_missing"))
	}
	return nil
}

// validPhone accepts a Korean number with optional dashes, spaces, dots or
// brackets, or +82: 9 to 11 digits starting with 0.
func validPhone(s string) bool {
	var d strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			d.WriteRune(r)
		case r == '-' || r == ' ' || r == '.' || r == '(' || r == ')' || r == '+':
		default:
			return false
		}
	}
	digits := d.String()
	if strings.HasPrefix(s, "+82") {
		digits = "0" + strings.TrimPrefix(digits[2:], "0")
	}
	return len(digits) >= 9 && len(digits) <= 11 && digits[0] == '0'
}

// validEmail accepts local@domain.tld without spaces, at most 254 bytes.
func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at < 1 || len(s) > 254 || strings.ContainsAny(s, " \t,;<>\"") {
		return false
	}
	domain := s[at+1:]
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1 && !strings.Contains(s[:at], "@")
}
