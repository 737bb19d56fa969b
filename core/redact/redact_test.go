package redact

import "testing"

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
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}
