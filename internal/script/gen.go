package script

// The API coverage test (coverage_test.go) checks the Lua state against this list of the
// official API's server-side functions; regenerate it when the API definitions change.
//go:generate go run ./internal/apilist/cmd -api ../../../shared/nanos-api -out testdata/api-functions.txt
//go:generate go run ./internal/apilist/cmd -api ../../../shared/nanos-api -enums -out enums.txt
