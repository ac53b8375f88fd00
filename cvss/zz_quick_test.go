package cvss

import "testing"

func TestZZQuick(t *testing.T) {
	for _, in := range []string{
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
		"AV:N/AC:L/Au:N/C:P/I:P/A:P",
		"(AV:N/AC:L/Au:N/C:P/I:P/A:P/E:F)",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:H/VA:L/SC:N/SI:H/SA:L",
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:L/XX:Y/AC",
		"CVSS:4.0/AC:L/AV:N",
		"PR:N/UI:N",
	} {
		s, err := Parse(in)
		if err != nil {
			t.Logf("%s: %v", in, err)
			continue
		}
		t.Logf("%s: %+v", in, *s)
	}
}
