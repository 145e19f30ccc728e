package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/nanoforge/nanoforge/storeclient"
)

// TestMemberPublishKeepsDraftWithNotice checks that `upload --publish` by a team member who may
// upload but not publish stores a draft and prints the Store's reason, instead of failing.
func TestMemberPublishKeepsDraftWithNotice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ownerTok, memberTok := account(t), account(t)
	owner, err := client(t, ownerTok).Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	member, err := client(t, memberTok).Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	name := uniq(t, "teamwork")
	publish(t, t.TempDir(), ownerTok, release{kind: storeclient.Packages, name: name, version: "1.0.0"})

	req, _ := http.NewRequest(http.MethodPut, fmt.Sprintf("%s/api/v1/teams/%s/members/%s", storeURL, owner.Name, member.Name), strings.NewReader(`{"role":"member"}`))
	req.Header.Set("Authorization", "Token "+ownerTok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("adding %s to team %s: %s %s", member.Name, owner.Name, resp.Status, bytes.TrimSpace(body))
	}

	r := publish(t, t.TempDir(), memberTok, release{kind: storeclient.Packages, name: name, version: "1.1.0"})
	if !strings.Contains(r.stdout, "as a draft") || !strings.Contains(r.stdout, "admin or owner role in team \""+owner.Name+"\"") {
		t.Fatalf("member upload with --publish did not relay the Store's notice:\n%s", r)
	}
	res, err := client(t, ownerTok).Resource(ctx, storeclient.Packages, name)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, rel := range res.Releases {
		states[rel.Version] = rel.State
	}
	if states["1.0.0"] != "published" || states["1.1.0"] != "draft" {
		t.Fatalf("release states after the member's upload = %v; want 1.0.0 published, 1.1.0 draft", states)
	}
}
