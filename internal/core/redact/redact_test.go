package redact

import (
	"strings"
	"testing"
)

// TestPhoneWholeCharacters: a number in full-width digits is masked as
// one in ASCII (it came out as broken UTF-8), and no character is cut.
func TestPhoneWholeCharacters(t *testing.T) {
	for in, want := range map[string]string{"１３８０００００１８５": "138****0185", "电话号码是一二三四五六七八": "电话号******五六七八"} {
		if got := Phone(in); got != want {
			t.Errorf("Phone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPhone(t *testing.T) {
	for in, want := range map[string]string{
		"13900000000":  "139****0000",
		"057188888888": "057*****8888",
		"0101234567":   "010***4567",
		"1234567":      "*******",
		"":             "",
	} {
		if got := Phone(in); got != want {
			t.Errorf("Phone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"PhoneNoA 15000000000 is illegal":  "PhoneNoA 150****0000 is illegal",
		"numbers 13900000001,057188888888": "numbers 139****0001,057*****8888",
		"Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3DX%26PhoneNoA%3D15000000000%26SecurityToken%3Dsecret": "Specified signature is not matched with our calculation. server [string to sign withheld]",
		"group 1234 holds no number": "group 1234 holds no number",
		"":                           "",
		// Written as people write them: with spaces or hyphens between groups.
		`{"138 1234 5678":1}`:                  `{"138****5678":1}`,
		"POST /call/138-1234-5678":             "POST /call/138****5678",
		"+86 571 8888 8888 and 0571-8888-8888": "+865******8888 and 057*****8888",
		// Dates and times are no numbers to mask.
		"must be after 2026-11-23 12:01:00 UTC+8": "must be after 2026-11-23 12:01:00 UTC+8",
		"rows 1 2 3 4 5 6 7":                      "rows 1 2 3 4 5 6 7",
		// Full-width digits, as a Chinese input method types them, were left whole.
		"PhoneNoA １３８００１３８０００": "PhoneNoA 138****8000",
		"１３８ ００１３ ８０００":        "138****8000",
		// A SubsId is no phone number: it stays whole, and a phone beside it is masked.
		"subscription 1000000000000001 does not exist":    "subscription 1000000000000001 does not exist",
		"SubsId 1000000000000001, X 17100000000":          "SubsId 1000000000000001, X 171****0000",
		"X 17100000000 SubsId 1000000000000001":           "X 171****0000 SubsId 1000000000000001",
		"numbers 13800138000 13900139000":                 "numbers 138****8000 139****9000",
		"numbers 13800138000-13900139000-13700137000 end": "numbers 138****8000-139****9000-137****7000 end",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTextTwice: masking what was masked changes nothing (it showed
// "[ [string to sign withheld]").
func TestTextTwice(t *testing.T) {
	for _, in := range []string{
		"Specified signature is not matched. server string to sign is:POST&PhoneNoA%3D15000000000",
		"138 1234 5678 and 15000000000", "string to sign: x, string to sign: y",
	} {
		once := Text(in)
		if twice := Text(once); twice != once {
			t.Errorf("Text(Text(%q)) = %q, want %q", in, twice, once)
		}
	}
}

func TestClip(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"FC123456", 64, "FC123456"},
		{strings.Repeat("x", 100), 10, "xxxxxxxxxx...(100 bytes)"},
		{"北京北京", 4, "北...(12 bytes)"},
	} {
		if got := Clip(c.in, c.n); got != c.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
