package storeclient_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/nanoforge/nanoforge/storeclient"
)

// A Store answering one resolve, standing in for nanoforge-store in this example.
func exampleStore() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"items":[
			{"kind":"assets","name":"arena-props","version":"1.0.0","channel":"stable","sha256":"","size":0,"download_url":"/d/1","packages_requirements":[],"assets_requirements":[],"requested":false},
			{"kind":"packages","name":"arena","version":"2.1.0","channel":"stable","sha256":"","size":0,"download_url":"/d/2","packages_requirements":[],"assets_requirements":["arena-props"],"requested":true}]}`)
	}))
}

func ExampleClient_Resolve() {
	srv := exampleStore()
	defer srv.Close()

	c, err := storeclient.New(srv.URL, "")
	if err != nil {
		panic(err)
	}
	items, err := c.Resolve(context.Background(), storeclient.ResolveRequest{Packages: []string{"arena"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Requirements come first: install in this order.
	for _, it := range items {
		fmt.Println(it.Kind, it.Name, it.Version, it.Requested)
	}
	// Output:
	// assets arena-props 1.0.0 false
	// packages arena 2.1.0 true
}
