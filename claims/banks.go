package claims

// Bank is a bank a payout can go to, by its Korean bank code.
type Bank struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

// Banks lists the payout banks offered in forms.
var Banks = []Bank{
	{"004", "KB국민은행", "KB Kookmin Bank"}, {"088", "신한은행", "Shinhan Bank"}, {"020", "우리은행", "Woori Bank"},
	{"081", "하나은행", "Hana Bank"}, {"011", "NH농협은행", "NH NongHyup Bank"}, {"003", "IBK기업은행", "IBK Industrial Bank"},
	{"090", "카카오뱅크", "KakaoBank"}, {"092", "토스뱅크", "Toss Bank"}, {"089", "케이뱅크", "K Bank"},
	{"023", "SC제일은행", "SC First Bank"}, {"027", "한국씨티은행", "Citibank Korea"}, {"007", "수협은행", "Suhyup Bank"},
	{"031", "iM뱅크(대구)", "iM Bank (Daegu)"}, {"032", "부산은행", "Busan Bank"}, {"034", "광주은행", "Gwangju Bank"},
	{"035", "제주은행", "Jeju Bank"}, {"037", "전북은행", "Jeonbuk Bank"}, {"039", "경남은행", "Kyongnam Bank"},
	{"071", "우체국", "Korea Post"}, {"045", "새마을금고", "MG Community Credit Cooperatives"}, {"048", "신협", "Shinhyup"},
}

func bankByCode(code string) (Bank, bool) {
	for _, b := range Banks {
		if b.Code == code {
			return b, true
		}
	}
	return Bank{}, false
}
