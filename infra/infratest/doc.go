// Package infratest checks the deployment artefacts under infra/ offline, from `go test`:
// terraform fmt, init, validate and `terraform test` (mocked aws provider) for the AWS module,
// tflint for both Terraform modules, and for both Helm charts `helm lint --strict`, `helm template`
// over every values file in ci/, strict decoding of every rendered manifest with client-go's
// scheme, and the rejection of bad values files.
//
// The tools come from testenv.Tool: a missing one skips the tests, or fails them under
// FEDCOST_REQUIRE_TOOLS=1 (`make test`).
package infratest
