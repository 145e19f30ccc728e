package cli

import (
	"testing"

	"github.com/nanoforge/nanoforge/storeclient"
)

func TestNewestRespectsTheChannel(t *testing.T) {
	l := storeclient.Latest{Stable: "1.2.0", Beta: "1.3.0", Alpha: "2.0.0"}
	tests := []struct {
		channel, want string
	}{
		{storeclient.ChannelStable, "1.2.0"},
		{storeclient.ChannelBeta, "1.3.0"},
		{storeclient.ChannelAlpha, "2.0.0"},
	}
	for _, tt := range tests {
		if got := newest(l, tt.channel); got != tt.want {
			t.Errorf("newest(%s) = %s, want %s", tt.channel, got, tt.want)
		}
	}
	// A beta older than stable never wins; missing channels are skipped.
	if got := newest(storeclient.Latest{Stable: "2.0.0", Beta: "1.9.0"}, storeclient.ChannelBeta); got != "2.0.0" {
		t.Errorf("old beta won: %s", got)
	}
	if got := newest(storeclient.Latest{Beta: "0.1.0"}, storeclient.ChannelStable); got != "" {
		t.Errorf("no stable release: got %q", got)
	}
	if got := newest(storeclient.Latest{Stable: "garbage", Beta: "0.1.0"}, storeclient.ChannelBeta); got != "0.1.0" {
		t.Errorf("unparsable version not skipped: %q", got)
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.0.0", "1.0.1", -1}, {"1.10.0", "1.9.0", 1}, {"2.0.0", "2.0.0", 0}, {"x", "1.0.0", 0},
	}
	for _, tt := range tests {
		if got := compareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("compareVersions(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestChannelNames(t *testing.T) {
	for in, want := range map[string]string{"": "stable", "Beta": "beta", " alpha ": "alpha", "STABLE": "stable"} {
		if got, err := normalizeChannel(in); err != nil || got != want {
			t.Errorf("normalizeChannel(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := normalizeChannel("nightly"); err == nil {
		t.Error("unknown channel accepted")
	}
	for in, want := range map[string]string{"": "", "beta": "Beta", "PRIVATE": "Private", "stable": "Stable", "alpha": "Alpha"} {
		if got, err := storeChannel(in); err != nil || got != want {
			t.Errorf("storeChannel(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := storeChannel("gold"); err == nil {
		t.Error("unknown upload channel accepted")
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 50 << 20: "50.0 MiB", 3 << 30: "3.0 GiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
