package script

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestSynchronousRequestIsNotARunawayScript: a script waiting on a slow HTTP.Request is not
// stopped by the watchdog, whose budget is for Lua work, not for waiting on the network.
func TestSynchronousRequestIsNotARunawayScript(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		fmt.Fprint(w, "slow")
	}))
	defer web.Close()
	th := newTestHost(t, Options{Budget: 50 * time.Millisecond})
	th.load("t-dependent")
	got := th.run("t-dependent", fmt.Sprintf(`return HTTP.Request(%q, "/").Data`, web.URL))
	if got != "slow" {
		t.Fatalf("HTTP.Request under a 50 ms budget against a 300 ms server = %q, want \"slow\"\n%s", got, th.log.dump())
	}
}
